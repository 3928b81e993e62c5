using Microsoft.AspNetCore.Mvc;

namespace PfnStudio.Tokens.Infrastructure;

/// <summary>
/// Writes an RFC 9457 problem body for answers made outside an endpoint (a challenge, a rejected rate limit, a
/// middleware refusal), through the registered <see cref="IProblemDetailsService"/> so the same customization
/// (token redaction, 503 wording) applies as to endpoint results.
/// </summary>
internal static class ProblemResponses
{
    /// <summary>
    /// Writes a problem with the response's current status code, <paramref name="title"/> and
    /// <paramref name="detail"/>; when no problem writer accepts the request (e.g. no <c>Accept</c> match), writes the
    /// detail as plain text instead.
    /// </summary>
    public static async Task WriteAsync(HttpContext context, string title, string detail)
    {
        var problems = context.RequestServices.GetService<IProblemDetailsService>();
        if (problems is not null && await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = context.Response.StatusCode, Title = title, Detail = detail },
        }))
        {
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(detail);
    }
}
