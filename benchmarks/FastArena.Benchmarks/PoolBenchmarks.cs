using BenchmarkDotNet.Attributes;

namespace FastArena.Benchmarks;

/// <summary>
/// <see cref="ArenaPool"/>: rent, one allocation, return, on 1 to 16 threads at once, against creating
/// and disposing an arena for every unit of work. Each invocation runs <see cref="OpsPerThread"/>
/// rounds on every thread; the time is per round of one thread (OperationsPerInvoke), so a flat row
/// across thread counts means throughput per thread holds up (on a 2-core machine, 16 threads share 2 cores:
/// compare ratios, not the absolute rise).
/// </summary>
[MemoryDiagnoser]
public class PoolBenchmarks
{
    /// <summary>Rounds per thread per invocation.</summary>
    public const int OpsPerThread = 2048;

    private ArenaPool _pool = null!;
    private Workers _workers = null!;
    private static readonly ArenaOptions s_unchecked = new() { CheckedMode = false };

    /// <summary>Threads renting at once.</summary>
    [Params(1, 2, 4, 8, 16)]
    public int Threads { get; set; }

    /// <summary>Starts the worker threads and warms the pool.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _pool = new ArenaPool(new ArenaPoolOptions { ArenaOptions = new ArenaOptions { CheckedMode = false } });
        _workers = new Workers(Threads);
    }

    /// <summary>Stops the workers and frees the pool.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _workers.Dispose();
        _pool.Dispose();
    }

    /// <summary>The baseline: <c>new Arena()</c> (a 64 KiB block from the OS), one allocation, <c>Dispose</c>.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = OpsPerThread)]
    public void NewArena_Dispose() => _workers.Run(static _ =>
    {
        for (int i = 0; i < OpsPerThread; i++)
        {
            var arena = new Arena(s_unchecked);
            arena.Alloc(i);
            arena.Dispose();
        }
    }, this);

    /// <summary>Rent, one allocation, return: the thread's own slot, no lock.</summary>
    [Benchmark(OperationsPerInvoke = OpsPerThread)]
    public void Pool_RentReturn() => _workers.Run(static self =>
    {
        ArenaPool pool = self._pool;
        for (int i = 0; i < OpsPerThread; i++)
        {
            using ArenaLease lease = pool.Rent();
            lease.Arena.Alloc(i);
        }
    }, this);

    /// <summary>Two leases at once per thread: the second goes through the per-processor stacks (a lock each way).</summary>
    [Benchmark(OperationsPerInvoke = OpsPerThread)]
    public void Pool_RentTwoReturnTwo() => _workers.Run(static self =>
    {
        ArenaPool pool = self._pool;
        for (int i = 0; i < OpsPerThread; i++)
        {
            using ArenaLease outer = pool.Rent();
            using ArenaLease inner = pool.Rent();
            outer.Arena.Alloc(i);
            inner.Arena.Alloc(i);
        }
    }, this);

    /// <summary>Long-lived threads that run one body at a time, all at once, so thread start-up is not measured.</summary>
    private sealed class Workers : IDisposable
    {
        private readonly Thread[] _threads;
        private readonly Barrier _start;
        private readonly Barrier _done;
        private Action<PoolBenchmarks>? _body;
        private PoolBenchmarks? _state;
        private volatile bool _stop;

        public Workers(int count)
        {
            _start = new Barrier(count + 1);
            _done = new Barrier(count + 1);
            _threads = new Thread[count];
            for (int i = 0; i < count; i++)
            {
                _threads[i] = new Thread(Loop) { IsBackground = true };
                _threads[i].Start();
            }
        }

        public void Run(Action<PoolBenchmarks> body, PoolBenchmarks state)
        {
            _body = body;
            _state = state;
            _start.SignalAndWait();
            _done.SignalAndWait();
        }

        private void Loop()
        {
            while (true)
            {
                _start.SignalAndWait();
                if (_stop)
                {
                    return;
                }

                _body!(_state!);
                _done.SignalAndWait();
            }
        }

        public void Dispose()
        {
            _stop = true;
            _start.SignalAndWait();
            foreach (Thread t in _threads)
            {
                t.Join();
            }

            _start.Dispose();
            _done.Dispose();
        }
    }
}
