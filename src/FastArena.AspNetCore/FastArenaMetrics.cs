using System.Diagnostics.Metrics;

namespace FastArena.AspNetCore;

/// <summary>
/// The middleware's instruments, on the meter <c>FastArena.AspNetCore</c> (created through
/// <see cref="IMeterFactory"/>, so they follow the host's metrics setup):
/// <list type="bullet">
/// <item><c>fastarena.request.bytes</c> (histogram, bytes): arena bytes a request held when it ended.</item>
/// <item><c>fastarena.budget.rejections</c> (counter): requests answered 413 because of their budget.</item>
/// <item><c>fastarena.pool.idle</c> (gauge): arenas idle in the pool; <c>fastarena.pool.leased</c>: arenas out.</item>
/// </list>
/// Nothing is measured while no listener is attached.
/// </summary>
public sealed class FastArenaMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "FastArena.AspNetCore";

    private readonly Histogram<long> _requestBytes;
    private readonly Counter<long> _rejections;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> for <paramref name="pool"/>.</summary>
    /// <param name="meterFactory">The host's meter factory.</param>
    /// <param name="pool">The pool whose size the gauges report.</param>
    public FastArenaMetrics(IMeterFactory meterFactory, ArenaPool pool)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(pool);
        Meter meter = meterFactory.Create(MeterName);
        _requestBytes = meter.CreateHistogram<long>("fastarena.request.bytes", "By", "Arena bytes a request held when it ended.");
        _rejections = meter.CreateCounter<long>("fastarena.budget.rejections", "{request}", "Requests answered 413 because of their arena budget.");
        meter.CreateObservableGauge("fastarena.pool.idle", () => pool.Stats.Idle, "{arena}", "Arenas idle in the pool.");
        meter.CreateObservableGauge("fastarena.pool.leased", () => pool.Stats.Outstanding, "{arena}", "Arenas leased to requests now.");
    }

    internal void RequestEnded(long bytes)
    {
        if (_requestBytes.Enabled)
        {
            _requestBytes.Record(bytes);
        }
    }

    internal void BudgetRejected() => _rejections.Add(1);
}
