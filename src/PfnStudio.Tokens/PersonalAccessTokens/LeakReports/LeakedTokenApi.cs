using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using PfnStudio.Tokens.Infrastructure;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;

namespace PfnStudio.Tokens.PersonalAccessTokens.LeakReports;

/// <summary>
/// <c>POST /api/v1/tokens/leaked</c>, for secret scanners (docs/secret-scanning.md): no authentication, a body
/// <c>{"tokens": ["…"], "url": "https://…"}</c>. A valid report is queued for <see cref="LeakedTokenResponder"/> and
/// answered <c>202</c> with a body that depends only on how many strings were sent, never on whether any was a token,
/// so the endpoint cannot be used to test tokens. Limits: <see cref="LeakedTokenReportReader.MaxBodyBytes"/> (413),
/// <see cref="LeakedTokenReportReader.MaxTokens"/> strings and the URL rules (400), a fixed window of reports per
/// client address (429 with Retry-After, before the body is read), a bounded queue (503 with Retry-After). A refused
/// report changes nothing.
/// </summary>
internal static class LeakedTokenApi
{
    /// <summary>The route.</summary>
    public const string Route = "/api/v1/tokens/leaked";

    /// <summary>Retry-After of the 503 for a full queue, in seconds: a report takes milliseconds to act on.</summary>
    public const int QueueFullRetryAfterSeconds = 5;

    /// <summary>The rate limiter policy name of the route.</summary>
    public const string Policy = "leaked-token-reports";

    /// <summary>
    /// Adds <see cref="LeakedTokenReportOptions"/>, the <see cref="LeakedTokenResponder"/> (a hosted service),
    /// <see cref="LeakedTokenNotices"/> for the tokens page, and the per-address fixed-window policy on the framework's rate
    /// limiter, partitioned by <see cref="ClientFailureLimiter.KeyOf"/> (an IPv6 address counts as its /64).
    /// </summary>
    public static IServiceCollection AddLeakedTokenReports(this IServiceCollection services)
    {
        services.AddOptions<LeakedTokenReportOptions>()
            .BindConfiguration(LeakedTokenReportOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<LeakedTokenResponder>();
        services.AddHostedService(sp => sp.GetRequiredService<LeakedTokenResponder>());
        services.AddScoped<LeakedTokenNotices>();
        services.AddRateLimiter(limiter => limiter.AddPolicy(Policy, context =>
        {
            var o = context.RequestServices.GetRequiredService<IOptions<LeakedTokenReportOptions>>().Value;
            return RateLimitPartition.GetFixedWindowLimiter(
                ClientFailureLimiter.KeyOf(context.Connection.RemoteIpAddress?.ToString() ?? "unknown"),
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = o.ReportsPerWindow,
                    Window = TimeSpan.FromSeconds(o.WindowSeconds),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
        }));
        services.AddRateLimitRejection(Policy, "Too many leaked-token reports",
            "Too many leaked-token reports from your address just now; send the rest after Retry-After seconds.");
        return services;
    }

    /// <summary>Maps the route: anonymous, rate limited per client address.</summary>
    public static IEndpointRouteBuilder MapLeakedTokenApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(Route, ReportAsync)
            .AllowAnonymous()
            .RequireRateLimiting(Policy)
            .WithTags("Tokens")
            .WithName("ReportLeakedTokens")
            .WithSummary("Report strings found in public that may be PFN Studio tokens: every active token among them is revoked and its owner told.")
            .WithDescription("No authentication. The answer is the same whether or not any string was a token, and arrives before the strings "
                + "are checked; active tokens among them are revoked moments later. Strings that are not well-formed tokens (a checksum "
                + "that does not match, see the README's regular expressions) are dropped without a store read. See docs/secret-scanning.md.")
            .AddOpenApiOperationTransformer(DescribeBody)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    internal static async Task<Results<Accepted<LeakedTokenReceipt>, ValidationProblem, ProblemHttpResult>> ReportAsync(
        HttpContext context, LeakedTokenResponder responder, ILogger<LeakedTokenReceipt> logger,
        CancellationToken cancellationToken)
    {
        var body = await BoundedBody.ReadAsync(context.Request, LeakedTokenReportReader.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return ApiProblems.TooLarge("A leaked-token report", LeakedTokenReportReader.MaxBodyBytes);
        }

        var (report, error) = LeakedTokenReportReader.Read(body);
        if (error is not null)
        {
            return ApiProblems.Invalid(error.Field, error.Message);
        }

        if (!responder.TryQueue(report!))
        {
            LeakedTokenLog.QueueFull(logger);
            context.Response.Headers.RetryAfter = QueueFullRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Reports are queued to capacity",
                detail: "Too many leaked-token reports are waiting to be handled; send this one again after Retry-After seconds.");
        }

        // The same answer for every accepted report of this size: nothing in it, nor in its timing, says whether a
        // string was a token (the strings are checked after this answer).
        return TypedResults.Accepted((string?)null, new LeakedTokenReceipt { Received = report!.Strings });
    }

    private static Task DescribeBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        // An empty requirement: no authentication (OpenAPI 3.1 §4.8.10), said explicitly.
        operation.Security = [new OpenApiSecurityRequirement()];
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = $"The strings found (at most {LeakedTokenReportReader.MaxTokens}) and where (body at most "
                + $"{ApiProblems.FormatBytes(LeakedTokenReportReader.MaxBodyBytes)}).",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { LeakedTokenReportReader.TokensField, LeakedTokenReportReader.UrlField },
                        AdditionalPropertiesAllowed = false,
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            [LeakedTokenReportReader.TokensField] = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Array,
                                MinItems = 1,
                                MaxItems = LeakedTokenReportReader.MaxTokens,
                                Items = new OpenApiSchema { Type = JsonSchemaType.String },
                                Description = "Every string found that may be a token, as found (e.g. matches of the README's regular expressions).",
                            },
                            [LeakedTokenReportReader.UrlField] = new OpenApiSchema
                            {
                                Type = JsonSchemaType.String,
                                Format = "uri",
                                MaxLength = LeakedTokenReportReader.MaxUrlLength,
                                Description = "The absolute http(s) address where they were found, printable ASCII; shown to each token's owner.",
                            },
                        },
                    },
                },
            },
        };
        return Task.CompletedTask;
    }
}

/// <summary>The answer to an accepted leaked-token report: the same for real and fake strings.</summary>
internal sealed class LeakedTokenReceipt
{
    /// <summary>How many strings the report held.</summary>
    public required int Received { get; init; }

    /// <summary>What happens next, the same sentence for every report.</summary>
    public string Message { get; init; } =
        "Received. Every active PFN Studio token among these strings is revoked and its owner told; this answer is the same whatever the strings are.";
}
