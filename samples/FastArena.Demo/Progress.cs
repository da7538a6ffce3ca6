using System.Diagnostics;

namespace FastArena.Demo;

/// <summary>
/// The progress display: one line redrawn in place (at most five times a second) on a terminal, or a
/// plain line at every tenth of the run when the output goes to a file or a CI log.
/// </summary>
internal sealed class Progress(long total)
{
    private static readonly bool s_interactive = !Console.IsOutputRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw = long.MinValue;
    private int _lastTenth;

    public void Update(long done, Program.Meter arena, Program.Meter gc)
    {
        if (s_interactive)
        {
            long now = _clock.ElapsedMilliseconds;
            if (now - _lastDraw < 200)
            {
                return;
            }

            _lastDraw = now;
        }
        else
        {
            int tenth = (int)(done * 10 / total);
            if (tenth == _lastTenth || done == total)
            {
                return;
            }

            _lastTenth = tenth;
        }

        Draw(done, arena, gc, final: false);
    }

    public void Finish(Program.Meter arena, Program.Meter gc) => Draw(total, arena, gc, final: true);

    private void Draw(long done, Program.Meter arena, Program.Meter gc, bool final)
    {
        const int Width = 30;
        int filled = (int)(done * Width / total);
        string text =
            $"  [{new string('#', filled)}{new string('.', Width - filled)}] {done * 100 / total,3}%  {done,11:N0} requests"
            + $"   {arena.Name}: {arena.RequestsPerSecond,10:N0} req/s   {gc.Name}: {gc.RequestsPerSecond,10:N0} req/s";
        if (s_interactive)
        {
            Console.Write('\r' + text + (final ? Environment.NewLine : ""));
        }
        else
        {
            Console.WriteLine(text);
        }
    }
}
