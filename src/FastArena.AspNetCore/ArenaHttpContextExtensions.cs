using Microsoft.AspNetCore.Http;

namespace FastArena.AspNetCore;

/// <summary>The request's arena from an <see cref="HttpContext"/>, and its body read into it.</summary>
public static class ArenaHttpContextExtensions
{
    /// <summary>The request's arena, valid until the request ends.</summary>
    /// <param name="context">The request.</param>
    /// <returns>The arena the FastArena middleware leased for this request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The FastArena middleware did not run for this request (<c>app.UseFastArena()</c> missing, or placed after the endpoint), or the request has ended.</exception>
    public static Arena GetArena(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return (context.Features.Get<IArenaFeature>()
            ?? throw new InvalidOperationException("No arena for this request: add app.UseFastArena() before the endpoints that use it.")).Arena;
    }

    /// <summary>The request's arena feature, or null when the FastArena middleware did not run for it.</summary>
    /// <param name="context">The request.</param>
    /// <returns>The feature, or null.</returns>
    public static IArenaFeature? GetArenaFeature(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IArenaFeature>();
    }

    /// <summary>
    /// Reads the request body into the request's arena, under <paramref name="maxBytes"/> and the request's
    /// budget: a Content-Length over either is refused before anything is read, a body without one as soon as
    /// it passes. The middleware answers such a refusal with 413.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="maxBytes">The most bytes accepted (the budget applies in any case).</param>
    /// <returns>The body, a handle to exactly its bytes.</returns>
    /// <exception cref="ArenaBudgetExceededException">The body is over the cap or the budget; the arena is unchanged.</exception>
    /// <exception cref="InvalidOperationException">The FastArena middleware did not run for this request.</exception>
    /// <exception cref="OperationCanceledException">The client went away (<see cref="HttpContext.RequestAborted"/>).</exception>
    public static ValueTask<ArenaSlice<byte>> ReadBodyIntoArenaAsync(this HttpContext context, long maxBytes = int.MaxValue) =>
        context.GetArena().ReadToEndAsync(context.Request.BodyReader, maxBytes, context.Request.ContentLength, context.RequestAborted);
}
