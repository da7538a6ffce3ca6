namespace FastArena.AspNetCore;

/// <summary>Settings of the per-request arenas (<c>services.AddFastArena(options => ...)</c>).</summary>
public sealed class FastArenaOptions
{
    /// <summary>The default per-request budget: 4 MiB.</summary>
    public const long DefaultRequestBudgetBytes = 4L * 1024 * 1024;

    /// <summary>
    /// The most arena bytes one request may hold; an allocation past it throws
    /// <see cref="ArenaBudgetExceededException"/>, which the middleware turns into 413 with a ProblemDetails
    /// body when the response has not started. Null: no budget. Default: <see cref="DefaultRequestBudgetBytes"/>.
    /// </summary>
    public long? RequestBudgetBytes { get; set; } = DefaultRequestBudgetBytes;

    /// <summary>
    /// Whether a request whose Content-Length alone passes <see cref="RequestBudgetBytes"/> is refused with 413
    /// before the endpoint runs (and before any of its body is read). Default: true.
    /// </summary>
    public bool RejectOversizedBodies { get; set; } = true;

    /// <summary>The pool options used when <see cref="Pool"/> is null. Default: <see cref="ArenaPoolOptions"/>' defaults.</summary>
    public ArenaPoolOptions PoolOptions { get; set; } = new();

    /// <summary>A pool to rent from instead of one created from <see cref="PoolOptions"/> (the caller keeps ownership).</summary>
    public ArenaPool? Pool { get; set; }
}
