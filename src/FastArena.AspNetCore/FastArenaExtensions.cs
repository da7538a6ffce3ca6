using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FastArena.AspNetCore;

/// <summary>Registration: <c>builder.Services.AddFastArena(...)</c>, then <c>app.UseFastArena()</c>.</summary>
public static class FastArenaExtensions
{
    /// <summary>
    /// Registers the per-request arenas: the options, the <see cref="ArenaPool"/> (the configured one, or one
    /// the container owns and disposes), and <see cref="FastArenaMetrics"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the budget, the pool and the body check; null keeps the defaults.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddFastArena(this IServiceCollection services, Action<FastArenaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<FastArenaOptions> builder = services.AddOptions<FastArenaOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.Validate(o => o.RequestBudgetBytes is null or >= 0, "FastArenaOptions.RequestBudgetBytes must not be negative.");
        builder.Validate(o => o.Pool is not null || o.PoolOptions is not null, "FastArenaOptions.PoolOptions must not be null when no Pool is given.");
        services.AddMetrics();
        services.TryAddSingleton<PoolHolder>();
        services.TryAddSingleton(sp => sp.GetRequiredService<PoolHolder>().Pool);
        services.TryAddSingleton(sp => new FastArenaMetrics(sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<ArenaPool>()));
        return services;
    }

    /// <summary>Adds the middleware that gives each request its arena; put it before the endpoints that use it.</summary>
    /// <param name="app">The application builder.</param>
    /// <returns><paramref name="app"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="app"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><see cref="AddFastArena"/> was not called.</exception>
    public static IApplicationBuilder UseFastArena(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        IServiceProvider services = app.ApplicationServices;
        if (services.GetService<PoolHolder>() is null)
        {
            throw new InvalidOperationException("UseFastArena needs services.AddFastArena() first.");
        }

        FastArenaOptions options = services.GetRequiredService<IOptions<FastArenaOptions>>().Value;
        ArenaPool pool = services.GetRequiredService<ArenaPool>();
        FastArenaMetrics metrics = services.GetRequiredService<FastArenaMetrics>();
        return app.Use(next => new FastArenaMiddleware(next, pool, options, metrics).InvokeAsync);
    }

    /// <summary>The pool: the one configured (not owned), or one created from the options and disposed with the container.</summary>
    internal sealed class PoolHolder(IOptions<FastArenaOptions> options) : IDisposable
    {
        private readonly bool _owned = options.Value.Pool is null;

        public ArenaPool Pool { get; } = options.Value.Pool ?? new ArenaPool(options.Value.PoolOptions);

        public void Dispose()
        {
            if (_owned)
            {
                Pool.Dispose();
            }
        }
    }
}
