// The C# quick start quoted by the README. Each region is one README snippet; pasted one after the
// other into a new console project's Program.cs they make this program, and each `// prints:` line is
// what the line above it writes (build.sh's consumer check runs them from the packed package).
#region basic
using FastArena;

using var arena = new Arena();                       // 64 KiB first block

ref long x = ref arena.Alloc(42L);                   // a pointer bump and a store
Span<int> squares = arena.AllocSlice(8, i => i * i); // 0, 1, 4, ... 49
ReadOnlySpan<char> name = arena.AllocString("hello");

Console.WriteLine($"{x} {squares[7]} {name.ToString()}: {arena.Stats.BytesAllocated} bytes");
// prints: 42 49 hello: 50 bytes
arena.Reset();                                       // everything gone; blocks stay warm
#endregion

#region transactions
using (var outer = arena.BeginTransaction())
{
    outer.AllocString("top-level");
    using (var inner = outer.Savepoint())
    {
        inner.AllocString("speculative");
        inner.Alloc(999);
        // no Commit: leaving the scope rolls the savepoint back, outer work untouched
    }

    outer.AllocString("confirmed");
    outer.Commit();                                  // both strings survive
}

bool kept = arena.CommitIf(tx =>
{
    tx.Alloc(1);
    return false;                                    // false rolls back
});
Console.WriteLine($"kept: {kept}, depth: {arena.TransactionDepth}");
// prints: kept: False, depth: 0
#endregion

#region budget
using (var request = arena.BeginTransaction())
{
    request.SetLimit(4096);                          // hard cap for this request
    request.AllocSlice<byte>(2048);                  // fine
    bool fits = request.TryAllocSlice<byte>(4096, out _);
    Console.WriteLine($"second 4 KiB fits: {fits}, remaining: {request.BudgetRemaining}");
    // prints: second 4 KiB fits: False, remaining: 2048
    request.Commit();
}
#endregion

#region list
var list = new ArenaList<int>(arena);
for (int i = 0; i < 1024; i++)
{
    list.Add(i);
}

Span<int> items = list.Finish();                     // the arena owns the elements now
Console.WriteLine($"{items.Length} items, items[512] = {items[512]}");
// prints: 1024 items, items[512] = 512
#endregion

var stats = arena.Stats;
Console.WriteLine($"{stats.Utilization:P1} utilized, {stats.BytesIdle} bytes idle, {stats.BlockCount} block(s)");
