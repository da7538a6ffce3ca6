using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FastArena.AspNetCore;

/// <summary>
/// Gives each request a pooled arena with the configured budget, and takes it back when the rest of the
/// pipeline has completed: the <c>finally</c> of this middleware, which runs for normal, failing and aborted
/// requests alike (the server awaits the pipeline before it finishes the request, whatever happened), and
/// before the server disposes the context, so nothing after the response can still reach the arena.
/// </summary>
/// <remarks>
/// The request's allocations live in one transaction whose limit is the budget; the return rolls it back
/// and resets the arena. An <see cref="ArenaBudgetExceededException"/> from the rest of the pipeline becomes
/// 413 with a ProblemDetails body when the response has not started (otherwise it propagates and the server
/// aborts the response).
/// </remarks>
internal sealed class FastArenaMiddleware(RequestDelegate next, ArenaPool pool, FastArenaOptions options, FastArenaMetrics metrics)
{
    private readonly long? _budget = options.RequestBudgetBytes;
    private readonly bool _rejectOversized = options.RejectOversizedBodies && options.RequestBudgetBytes is not null;

    public async Task InvokeAsync(HttpContext context)
    {
        if (_rejectOversized && context.Request.ContentLength > _budget)
        {
            metrics.BudgetRejected();
            await WriteTooLargeAsync(
                context,
                $"The request body declares {context.Request.ContentLength} bytes; the per-request arena budget is {_budget} bytes.").ConfigureAwait(false);
            return;
        }

        ArenaLease lease = pool.Rent();
        Transaction transaction;
        try
        {
            transaction = lease.Arena.BeginTransaction();
            if (_budget is long budget)
            {
                transaction.SetLimit(budget);
            }
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        var feature = new ArenaFeature(lease, transaction, _budget);
        context.Features.Set<IArenaFeature>(feature);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (ArenaBudgetExceededException e) when (!context.Response.HasStarted)
        {
            metrics.BudgetRejected();
            context.Response.Clear();
            await WriteTooLargeAsync(context, e.Message).ConfigureAwait(false);
        }
        finally
        {
            context.Features.Set<IArenaFeature>(null);
            try
            {
                metrics.RequestEnded(transaction.BytesUsed);
                transaction.Dispose();
            }
            finally
            {
                lease.Dispose();
            }
        }
    }

    private static Task WriteTooLargeAsync(HttpContext context, string detail) =>
        Results.Problem(
            detail: detail,
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "The request needs more memory than its budget allows.",
            type: "https://tools.ietf.org/html/rfc9110#section-15.5.14").ExecuteAsync(context);
}
