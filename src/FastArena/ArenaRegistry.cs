namespace FastArena;

/// <summary>
/// Lets checked-mode handles find their arena without holding a reference to it, so that
/// <see cref="ArenaRef{T}"/> and <see cref="ArenaSlice{T}"/> stay unmanaged (storable in arena memory,
/// which the GC does not scan). A checked arena takes a slot; a handle stores (slot, generation).
/// </summary>
/// <remarks>
/// Slots hold weak references, so a forgotten arena can still be collected and finalized. Dispose and
/// the finalizer give the slot back and bump its generation, so old handles find nothing and report
/// the arena disposed. Registration is locked (arenas may be created on any thread); lookups read the
/// arrays without a lock: arrays only ever grow by copy, and a slot is only cleared by its own arena,
/// which checked mode confines to one thread.
/// </remarks>
internal static class ArenaRegistry
{
    private static readonly object s_lock = new();
    private static WeakReference<Arena>?[] s_arenas = new WeakReference<Arena>?[16];
    private static int[] s_generations = new int[16];
    private static readonly Stack<int> s_free = new();
    private static int s_nextSlot = 1;

    /// <summary>Takes a slot for <paramref name="arena"/>; slot 0 is never used, so 0 means "unchecked".</summary>
    internal static int Register(Arena arena, out int generation)
    {
        lock (s_lock)
        {
            if (!s_free.TryPop(out int slot))
            {
                slot = s_nextSlot++;
                if (slot == s_arenas.Length)
                {
                    var arenas = new WeakReference<Arena>?[slot * 2];
                    var generations = new int[slot * 2];
                    Array.Copy(s_arenas, arenas, slot);
                    Array.Copy(s_generations, generations, slot);
                    s_generations = generations;
                    s_arenas = arenas;
                }
            }

            generation = s_generations[slot];
            s_arenas[slot] = new WeakReference<Arena>(arena);
            return slot;
        }
    }

    /// <summary>Gives a slot back; handles that name it with the old generation find nothing from now on.</summary>
    internal static void Unregister(int slot)
    {
        lock (s_lock)
        {
            s_arenas[slot] = null;
            s_generations[slot]++;
            s_free.Push(slot);
        }
    }

    /// <summary>The live arena in <paramref name="slot"/> at <paramref name="generation"/>; null once it was disposed or collected.</summary>
    internal static Arena? Find(int slot, int generation)
    {
        WeakReference<Arena>?[] arenas = s_arenas;
        int[] generations = s_generations;
        if ((uint)slot >= (uint)arenas.Length || (uint)slot >= (uint)generations.Length || generations[slot] != generation)
        {
            return null;
        }

        return arenas[slot] is { } weak && weak.TryGetTarget(out Arena? arena) ? arena : null;
    }
}
