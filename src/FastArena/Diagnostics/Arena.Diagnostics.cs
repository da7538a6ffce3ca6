namespace FastArena;

// What debuggers and metrics read. None of these members throws or changes the arena, and none is on a
// fast path: a debugger evaluates them on a stopped thread, the metrics on a collecting thread.
public sealed unsafe partial class Arena
{
    /// <summary>The debugger's one-line summary (the type's <c>DebuggerDisplay</c>).</summary>
    internal string DebuggerDisplay => _checked && !_disposed ? ToString() + ", checked" : ToString();

    /// <summary>
    /// <see cref="BytesAllocated"/> for the metrics, read without <see cref="ThrowIfUnusable"/> from any
    /// thread: 0 once disposed, and kept between 0 and the reserved bytes, since an unsynchronised read
    /// while another thread moves to a new block may mix two blocks' fields (I4).
    /// </summary>
    internal long BytesAllocatedSnapshot => _disposed ? 0 : Math.Clamp(Position, 0, Volatile.Read(ref _reservedBytes));

    /// <summary>A transaction handle's summary for the debugger: open (bytes used, limit), its outcome, or ended.</summary>
    internal string DescribeTransaction(int depth, long token)
    {
        if (IsLive(depth, token))
        {
            // I6: a live handle's frame is _frames[depth - 1].
            ref Frame frame = ref _frames[depth - 1];
            long used = Position - frame.Start.Position;
            return frame.Limit < 0
                ? $"Transaction depth {depth}: open, {used} bytes used"
                : $"Transaction depth {depth}: open, {used} of {frame.Limit} bytes used";
        }

        if (token != 0 && depth >= 1 && depth <= _outcomes.Length && _outcomes[depth - 1].Token == token)
        {
            return $"Transaction depth {depth}: {_outcomes[depth - 1].Status}";
        }

        return _disposed ? $"Transaction depth {depth}: ended, arena disposed" : $"Transaction depth {depth}: ended";
    }
}
