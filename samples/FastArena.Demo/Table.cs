using System.Globalization;

namespace FastArena.Demo;

/// <summary>Prints a boxed text table: a label column, then one right-aligned column per variant.</summary>
internal static class Table
{
    public static void Print(string title, IReadOnlyList<string> headers, IReadOnlyList<string[]> rows)
    {
        int columns = headers.Count;
        var widths = new int[columns];
        for (int c = 0; c < columns; c++)
        {
            widths[c] = Math.Max(headers[c].Length, rows.Count == 0 ? 0 : rows.Max(r => c < r.Length ? r[c].Length : 0));
        }

        string line = "+" + string.Join("+", widths.Select(w => new string('-', w + 2))) + "+";
        Console.WriteLine(title);
        Console.WriteLine(line);
        Console.WriteLine("| " + string.Join(" | ", headers.Select((h, c) => c == 0 ? h.PadRight(widths[c]) : h.PadLeft(widths[c]))) + " |");
        Console.WriteLine(line);
        foreach (string[] row in rows)
        {
            Console.WriteLine("| " + string.Join(" | ", Enumerable.Range(0, columns).Select(c =>
            {
                string cell = c < row.Length ? row[c] : "";
                return c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]);
            })) + " |");
        }

        Console.WriteLine(line);
    }

    public static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Bytes(double bytes) => bytes switch
    {
        >= 10L << 20 => $"{bytes / (1 << 20):N0} MB",
        >= 10L << 10 => $"{bytes / (1 << 10):N0} KB",
        _ => $"{bytes:N0} B",
    };

    public static string Ratio(double ratio) => $"{ratio:0.00}x";

    public static string Us(double microseconds) => microseconds >= 10_000 ? $"{microseconds / 1000:N1} ms" : $"{microseconds:N1} µs";
}

/// <summary>A one-line progress display for a stage of work: redrawn in place on a terminal, a line per tenth otherwise.</summary>
internal sealed class StageProgress(string workload, long total)
{
    private static readonly bool s_interactive = !Console.IsOutputRedirected;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private long _lastDraw = long.MinValue;
    private int _lastTenth = -1;

    public void Update(long done, string what)
    {
        int tenth = (int)(done * 10 / Math.Max(1, total));
        if (s_interactive)
        {
            long now = _clock.ElapsedMilliseconds;
            if (now - _lastDraw < 200 && done < total)
            {
                return;
            }

            _lastDraw = now;
        }
        else if (tenth == _lastTenth)
        {
            return;
        }

        _lastTenth = tenth;
        const int Width = 30;
        int filled = (int)(done * Width / Math.Max(1, total));
        string text = $"  [{new string('#', filled)}{new string('.', Width - filled)}] {done * 100 / Math.Max(1, total),3}%  {workload}: {what}";
        if (s_interactive)
        {
            Console.Write("\r" + text.PadRight(100));
        }
        else
        {
            Console.WriteLine(text);
        }
    }

    public void Finish()
    {
        Update(total, "done");
        if (s_interactive)
        {
            Console.WriteLine();
        }
    }
}
