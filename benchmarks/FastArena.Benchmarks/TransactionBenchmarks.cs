using BenchmarkDotNet.Attributes;

namespace FastArena.Benchmarks;

/// <summary>
/// Transactions: 16 allocations of a long then commit or rollback, an empty transaction, and the
/// closure form. Per transaction: <see cref="Ops"/> transactions per invocation, then one reset.
/// </summary>
[MemoryDiagnoser]
public unsafe class TransactionBenchmarks : WarmArenaBenchmark
{
    /// <summary>Transactions per invocation.</summary>
    public const int Ops = 64;

    /// <summary>Allocations per transaction.</summary>
    public const int Allocs = 16;

    private static readonly Func<Transaction, long> s_body = static tx =>
    {
        long last = 0;
        for (int i = 0; i < Allocs; i++)
        {
            last = tx.Alloc((long)i);
        }

        return last;
    };

    private LongBox[] _boxes = null!;

    /// <summary>Creates a warm arena and the baselines' buffers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateWarm(Ops * Allocs * sizeof(long) + 4096);
        _boxes = new LongBox[Allocs];
        Tx16_Commit();
        Tx16_Rollback();
    }

    /// <summary>The floor: 16 unchecked bumps, no transaction at all.</summary>
    /// <returns>The last address.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public nint Floor_Bump16()
    {
        FloorBuffer floor = _floor;
        long* p = null;
        for (int t = 0; t < Ops; t++)
        {
            for (int i = 0; i < Allocs; i++)
            {
                p = (long*)floor.Bump(sizeof(long), sizeof(long));
                *p = i;
            }
        }

        floor.Reset();
        return (nint)p;
    }

    /// <summary>The floor of a rollback: save the cursor, 16 unchecked bumps, restore the cursor.</summary>
    /// <returns>The last address.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public nint Floor_SaveBump16_Restore()
    {
        FloorBuffer floor = _floor;
        long* p = null;
        for (int t = 0; t < Ops; t++)
        {
            byte* saved = floor.Cursor;
            for (int i = 0; i < Allocs; i++)
            {
                p = (long*)floor.Bump(sizeof(long), sizeof(long));
                *p = i;
            }

            floor.Cursor = saved;
        }

        return (nint)p;
    }

    /// <summary><c>using var tx = arena.BeginTransaction()</c>, 16 <see cref="Transaction.Alloc{T}(T)"/>, <see cref="Transaction.Commit"/>.</summary>
    /// <returns>The last value.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public long Tx16_Commit()
    {
        Arena arena = _arena;
        long last = 0;
        for (int t = 0; t < Ops; t++)
        {
            using Transaction tx = arena.BeginTransaction();
            for (int i = 0; i < Allocs; i++)
            {
                last = tx.Alloc((long)i);
            }

            tx.Commit();
        }

        arena.Reset();
        return last;
    }

    /// <summary>The same, allocating on the arena directly inside the transaction (no per-call handle check).</summary>
    /// <returns>The last value.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public long Tx16_ArenaAlloc_Commit()
    {
        Arena arena = _arena;
        long last = 0;
        for (int t = 0; t < Ops; t++)
        {
            using Transaction tx = arena.BeginTransaction();
            for (int i = 0; i < Allocs; i++)
            {
                last = arena.Alloc((long)i);
            }

            tx.Commit();
        }

        arena.Reset();
        return last;
    }

    /// <summary>16 <see cref="Transaction.Alloc{T}(T)"/>, then <see cref="Transaction.Rollback"/>.</summary>
    /// <returns>The last value.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public long Tx16_Rollback()
    {
        Arena arena = _arena;
        long last = 0;
        for (int t = 0; t < Ops; t++)
        {
            using Transaction tx = arena.BeginTransaction();
            for (int i = 0; i < Allocs; i++)
            {
                last = tx.Alloc((long)i);
            }

            tx.Rollback();
        }

        return last;
    }

    /// <summary>An empty transaction: begin and commit.</summary>
    /// <returns>The depth after the last commit (0).</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public int TxEmpty_Commit()
    {
        Arena arena = _arena;
        for (int t = 0; t < Ops; t++)
        {
            using Transaction tx = arena.BeginTransaction();
            tx.Commit();
        }

        return arena.TransactionDepth;
    }

    /// <summary>The closure form: <see cref="Arena.WithTransaction{TResult}(Func{Transaction, TResult})"/> with a cached lambda making 16 allocations.</summary>
    /// <returns>The last value.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public long Tx16_Closure_Commit()
    {
        Arena arena = _arena;
        long last = 0;
        for (int t = 0; t < Ops; t++)
        {
            last = arena.WithTransaction(s_body);
        }

        arena.Reset();
        return last;
    }

    /// <summary>Without a transaction: checkpoint, 16 <see cref="Arena.Alloc{T}(T)"/>, rewind (what a rollback does).</summary>
    /// <returns>The last value.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public long Checkpoint16_Rewind()
    {
        Arena arena = _arena;
        long last = 0;
        for (int t = 0; t < Ops; t++)
        {
            Checkpoint checkpoint = arena.GetCheckpoint();
            for (int i = 0; i < Allocs; i++)
            {
                last = arena.Alloc((long)i);
            }

            arena.Rewind(checkpoint);
        }

        return last;
    }

    /// <summary>GC: 16 objects that escape (stored in an array).</summary>
    /// <returns>The array.</returns>
    [Benchmark(OperationsPerInvoke = Ops)]
    public LongBox[] GcNew_LongBox16()
    {
        LongBox[] boxes = _boxes;
        for (int t = 0; t < Ops; t++)
        {
            for (int i = 0; i < Allocs; i++)
            {
                boxes[i] = new LongBox(i);
            }
        }

        return boxes;
    }
}
