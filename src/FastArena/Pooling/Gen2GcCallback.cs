using System.Runtime.ConstrainedExecution;
using System.Runtime.InteropServices;

namespace FastArena;

/// <summary>
/// Runs a callback after gen2 garbage collections, the way the runtime's pools learn about memory
/// pressure: an object with a finalizer that, once finalized, registers itself for finalization again.
/// The object survives collections, so it soon lives in gen2, and its finalizer then runs once per gen2
/// collection. It holds its target weakly, so the target can still be collected; the callbacks stop when
/// the target is gone, the callback returns false, or the process is shutting down.
/// </summary>
internal sealed class Gen2GcCallback : CriticalFinalizerObject
{
    private readonly Func<object, bool> _callback;
    private GCHandle _target;

    private Gen2GcCallback(Func<object, bool> callback, object target)
    {
        _callback = callback;
        _target = GCHandle.Alloc(target, GCHandleType.Weak);
    }

    /// <summary>Calls <paramref name="callback"/>(<paramref name="target"/>) after every gen2 collection while it returns true.</summary>
    public static void Register(Func<object, bool> callback, object target) => _ = new Gen2GcCallback(callback, target);

    ~Gen2GcCallback()
    {
        if (_target.Target is not { } target)
        {
            _target.Free();
            return;
        }

        bool again;
        try
        {
            again = _callback(target);
        }
        catch
        {
            // A failing trim must not take down the finalizer thread; try again next time.
            again = true;
        }

        if (!again)
        {
            _target.Free();
            return;
        }

        if (!Environment.HasShutdownStarted)
        {
            GC.ReRegisterForFinalize(this);
        }
    }
}
