namespace FastArena;

/// <summary>
/// Lets checked-mode handles find their arena without holding a reference to it, so that
/// <see cref="ArenaRef{T}"/> and <see cref="ArenaSlice{T}"/> stay unmanaged (storable in arena memory,
/// which the GC does not scan). A checked arena takes a slot; a handle stores (slot, generation).
/// </summary>
/// <remarks>
/// Slots hold weak references, so a forgotten arena can still be collected and finalized. Dispose and
/// the finalizer give the slot back and bump its generation, so old handles find nothing and report
/// the arena disposed. Registration is locked (arenas may be created, disposed and finalized on any
/// thread). Lookups take no lock: each slot holds one immutable <see cref="Entry"/> (arena and
/// generation together), replaced whole, so a lookup sees either the old entry or the new one, never
/// a mix; and the slot array only ever grows by copy.
/// </remarks>
internal static class ArenaRegistry
{
    private sealed class Entry(WeakReference<Arena>? arena, int generation)
    {
        public readonly WeakReference<Arena>? Arena = arena;
        public readonly int Generation = generation;
    }

    private static readonly object s_lock = new();
    private static Entry?[] s_slots = new Entry?[16];
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
                if (slot == s_slots.Length)
                {
                    var slots = new Entry?[slot * 2];
                    Array.Copy(s_slots, slots, slot);
                    Volatile.Write(ref s_slots, slots);
                }
            }

            generation = s_slots[slot]?.Generation ?? 0;
            Volatile.Write(ref s_slots[slot], new Entry(new WeakReference<Arena>(arena), generation));
            return slot;
        }
    }

    /// <summary>
    /// Gives a slot back; handles that name it with the old generation find nothing from now on. Only the
    /// registration (slot, generation) is released, so a second call (Dispose, then the finalizer of an
    /// arena disposed with a scope open) cannot free a slot another arena has taken since.
    /// </summary>
    internal static void Unregister(int slot, int generation)
    {
        lock (s_lock)
        {
            if (s_slots[slot] is not { Arena: not null } entry || entry.Generation != generation)
            {
                return;
            }

            Volatile.Write(ref s_slots[slot], new Entry(null, s_slots[slot]!.Generation + 1));
            s_free.Push(slot);
        }
    }

    /// <summary>The live arena in <paramref name="slot"/> at <paramref name="generation"/>; null once it was disposed or collected.</summary>
    internal static Arena? Find(int slot, int generation)
    {
        Entry?[] slots = Volatile.Read(ref s_slots);
        Entry? entry = (uint)slot < (uint)slots.Length ? Volatile.Read(ref slots[slot]) : null;
        return entry is not null && entry.Generation == generation && entry.Arena is { } weak
            && weak.TryGetTarget(out Arena? arena)
            ? arena
            : null;
    }
}
