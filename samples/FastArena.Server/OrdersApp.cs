using System.Text.Json;
using FastArena.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FastArena.Server;

/// <summary>
/// The sample server: <c>POST /arena/orders</c> (body parsed into the request's arena, response written
/// through an arena buffer writer) and <c>POST /gc/orders</c> (System.Text.Json into classes, source-generated),
/// which must answer identically; <c>GET /diag</c> reports the process's GC and memory counters for the load script.
/// </summary>
public static class OrdersApp
{
    /// <summary>The per-request arena budget of the sample: 1 MiB.</summary>
    public const long RequestBudgetBytes = 1024 * 1024;

    /// <summary>The body cap of both endpoints: 512 KiB (the arena's budget must also hold the parsed rows).</summary>
    public const long MaxBodyBytes = 512 * 1024;

    /// <summary>Builds the application (not started).</summary>
    /// <param name="args">Command-line arguments (<c>--urls</c>, logging settings).</param>
    /// <param name="configureServices">Extra service setup (tests use it), or null.</param>
    /// <returns>The application, listening on 127.0.0.1:5080 unless <c>--urls</c> says otherwise.</returns>
    public static WebApplication Create(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
        if (builder.Configuration["urls"] is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:5080");
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, OrdersJsonContext.Default));
        #region setup
        builder.Services.AddFastArena(o =>
        {
            o.RequestBudgetBytes = RequestBudgetBytes; // 1 MiB: past it, 413 with a ProblemDetails body
            o.PoolOptions = new ArenaPoolOptions
            {
                ArenaOptions = new ArenaOptions { InitialBlockSize = 256 * 1024, MaxRetainedBytes = 2 * RequestBudgetBytes, CheckedMode = false },
            };
        });
        configureServices?.Invoke(builder.Services);

        WebApplication app = builder.Build();
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/arena"), a => a.UseFastArena());
        app.MapPost("/arena/orders", ArenaOrders.HandleAsync);
        #endregion
        app.MapPost("/gc/orders", GcOrders.HandleAsync);
        app.MapGet("/diag", Diagnostics);
        return app;
    }

    /// <summary>GC and memory counters of the process, for the load script's per-request figures.</summary>
    private static IResult Diagnostics() =>
        Results.Json(
            new Diag(
                GC.GetTotalAllocatedBytes(precise: false),
                GC.CollectionCount(0),
                GC.CollectionCount(1),
                GC.CollectionCount(2),
                Environment.WorkingSet),
            OrdersJsonContext.Default.Diag);

    /// <summary>A 400 ProblemDetails for a body that is not the expected JSON.</summary>
    internal static Task BadRequestAsync(HttpContext context, JsonException e) =>
        Results.Problem(detail: e.Message, statusCode: StatusCodes.Status400BadRequest, title: "The body is not a valid orders document.").ExecuteAsync(context);
}

/// <summary>What <c>GET /diag</c> answers.</summary>
/// <param name="AllocatedBytes">Managed bytes allocated by the process so far.</param>
/// <param name="Gen0">Gen0 collections so far.</param>
/// <param name="Gen1">Gen1 collections so far.</param>
/// <param name="Gen2">Gen2 collections so far.</param>
/// <param name="WorkingSet">Resident set size, bytes.</param>
public sealed record Diag(long AllocatedBytes, int Gen0, int Gen1, int Gen2, long WorkingSet);
