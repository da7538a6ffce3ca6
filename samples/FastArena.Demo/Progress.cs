using System.Diagnostics;

namespace FastArena.Demo;

/// <summary>
/// A progress display: one line redrawn in place on a terminal, or a plain line at every tenth of the
/// run when the output goes to a file or a CI log. Counts the managed bytes it allocates itself, so
/// the summary can leave them out.
/// </summary>
internal sealed class Progress(string name, long total)
{
    private static readonly bool s_interactive = !Console.IsOutputRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw = long.MinValue;
    private int _lastTenth = -1;

    public long AllocatedBytes { get; private set; }

    public void Update(long done, long busyTicks)
    {
        if (s_interactive)
        {
            long now = _clock.ElapsedMilliseconds;
            if (now - _lastDraw < 200)
            {
                return;
            }

            _lastDraw = now;
            Draw(done, busyTicks, final: false);
        }
        else
        {
            int tenth = (int)(done * 10 / total);
            if (tenth == _lastTenth)
            {
                return;
            }

            _lastTenth = tenth;
            Draw(done, busyTicks, final: false);
        }
    }

    public void Finish(long done, long busyTicks) => Draw(done, busyTicks, final: true);

    private void Draw(long done, long busyTicks, bool final)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        const int Width = 30;
        int filled = (int)(done * Width / total);
        double seconds = (double)busyTicks / Stopwatch.Frequency;
        string rate = seconds > 0 ? $"{done / seconds,12:N0} req/s" : new string(' ', 18);
        string text = $"  {name,-10} [{new string('#', filled)}{new string('.', Width - filled)}] {done * 100 / total,3}%  {done,11:N0} requests {rate}";
        if (s_interactive)
        {
            Console.Write('\r' + text + (final ? Environment.NewLine : ""));
        }
        else
        {
            Console.WriteLine(text);
        }

        AllocatedBytes += GC.GetTotalAllocatedBytes(precise: true) - before;
    }
}
