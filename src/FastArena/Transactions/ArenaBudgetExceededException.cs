namespace FastArena;

/// <summary>
/// Thrown when an allocation would take an open transaction past the byte limit set by
/// <see cref="Transaction.SetLimit"/> (its own or an enclosing one's). The arena is left exactly as
/// it was. The <c>Try...</c> methods return false instead.
/// </summary>
public sealed class ArenaBudgetExceededException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public ArenaBudgetExceededException()
        : base("The allocation exceeds the transaction's byte budget.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public ArenaBudgetExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public ArenaBudgetExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal ArenaBudgetExceededException(long requested, long remaining)
        : base($"The allocation needs {requested} bytes (alignment padding included) but the transaction budget has {remaining} left.")
    {
        RequestedBytes = requested;
        RemainingBytes = remaining;
    }

    /// <summary>Bytes the refused allocation needed, alignment padding included.</summary>
    public long RequestedBytes { get; }

    /// <summary>Bytes the tightest open budget had left when the allocation was refused.</summary>
    public long RemainingBytes { get; }
}
