using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace PfnStudio.Tokens.Infrastructure;

/// <summary>
/// An unreachable, locked or broken store is the service being unavailable, not a bug: pages and API routes
/// answer 503 with <c>Retry-After</c> and a problem body instead of a 500, and nothing half-done is stored (each
/// change is one transaction).
/// </summary>
internal static class StoreUnavailable
{
    /// <summary>Seconds a caller is told to wait.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>The exception handler's status: 503 for store failures, 500 for anything else.</summary>
    public static int StatusCodeFor(Exception exception) =>
        IsStoreFailure(exception) ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;

    /// <summary>Adds <c>Retry-After</c> and a plain description to a 503 problem (used by the problem details options).</summary>
    public static void Describe(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status == StatusCodes.Status503ServiceUnavailable && context.ProblemDetails.Detail is null)
        {
            context.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.ProblemDetails.Title = "Service unavailable";
            context.ProblemDetails.Detail = "The token store is unavailable or busy; nothing was changed. Retry shortly.";
        }
    }

    private static bool IsStoreFailure(Exception exception) =>
        exception is DbException or DbUpdateException or TimeoutException
        || (exception.InnerException is { } inner && IsStoreFailure(inner));
}
