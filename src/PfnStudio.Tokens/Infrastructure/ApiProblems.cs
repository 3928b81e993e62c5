using Microsoft.AspNetCore.Http.HttpResults;

namespace PfnStudio.Tokens.Infrastructure;

/// <summary>Problem details the project API answers with (RFC 9457 bodies).</summary>
internal static class ApiProblems
{
    /// <summary>
    /// Gives the framework's own bare answers a sentence: a 415 is routing refusing the body's Content-Type
    /// before any endpoint was chosen, so it names where each operation's media type is written down.
    /// </summary>
    public static void DescribeFrameworkAnswer(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && context.ProblemDetails.Detail is null)
        {
            context.ProblemDetails.Detail = "This route does not read a body of this Content-Type (Predict reads application/json); "
                + "each operation's request body in /openapi/v1.json names its type.";
        }
    }

    /// <summary>A 400 naming the offending field, with one readable sentence as the detail.</summary>
    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { [field] = [message] },
            detail: message,
            title: "The request is invalid");

    /// <summary>A 413 saying the largest accepted size.</summary>
    public static ProblemHttpResult TooLarge(string what, long limitBytes) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "Request body too large",
            detail: $"{what} must be at most {FormatBytes(limitBytes)}.");

    /// <summary>Human-readable size: bytes, KiB or MiB.</summary>
    public static string FormatBytes(long bytes) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => $"{bytes / (1024 * 1024)} MiB",
        >= 1024 when bytes % 1024 == 0 => $"{bytes / 1024} KiB",
        _ => $"{bytes} bytes",
    };
}
