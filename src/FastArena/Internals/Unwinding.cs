using System.Runtime.InteropServices;

namespace FastArena;

/// <summary>
/// Whether an exception is being thrown or handled on this thread, so that cleanup (a transaction's or
/// list's <c>Dispose</c>, a rollback) never replaces it with an exception of its own.
/// </summary>
/// <remarks>
/// Asks the runtime (<see cref="Marshal.GetExceptionPointers"/>, non-zero from the throw until the
/// handling catch block ends). Where the runtime cannot tell (it throws
/// <see cref="PlatformNotSupportedException"/>, as ahead-of-time compiled code may), the answer is
/// "no", and cleanup reports its failures as before.
/// </remarks>
internal static class Unwinding
{
    private static bool s_unsupported;

    /// <summary>True while an exception is in flight or being handled on this thread.</summary>
    internal static bool InProgress
    {
        get
        {
            if (s_unsupported)
            {
                return false;
            }

            try
            {
                return Marshal.GetExceptionPointers() != 0;
            }
            catch (PlatformNotSupportedException)
            {
                s_unsupported = true;
                return false;
            }
        }
    }
}
