using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using PfnStudio.Tokens.Infrastructure;

namespace PfnStudio.Tokens.Predictions;

/// <summary>
/// Bounds Predict work per user with the framework's rate limiter: a Predict call can cost seconds of CPU, so
/// each user (whichever of their tokens is used) runs at most <c>Predict:MaxConcurrentPerUser</c> calls at once
/// (default 2); a further call gets 429 with <c>Retry-After</c> and a problem body, and is not recorded as a run.
/// </summary>
internal static class PredictLimits
{
    /// <summary>The rate limiter policy name the Predict route requires.</summary>
    public const string Policy = "predict";

    /// <summary>Registers the policy from configuration (<c>Predict:MaxConcurrentPerUser</c>, 1–64).</summary>
    /// <exception cref="InvalidOperationException">The setting is out of range.</exception>
    public static WebApplicationBuilder AddPredictLimits(this WebApplicationBuilder builder)
    {
        var perUser = builder.Configuration.GetValue("Predict:MaxConcurrentPerUser", 2);
        if (perUser is < 1 or > 64)
        {
            throw new InvalidOperationException($"Predict:MaxConcurrentPerUser must be between 1 and 64; it is {perUser}.");
        }

        builder.Services.AddRateLimiter(options =>
        {
            options.AddPolicy(Policy, context => RateLimitPartition.GetConcurrencyLimiter(
                context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous",
                _ => new ConcurrencyLimiterOptions { PermitLimit = perUser, QueueLimit = 0 }));
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = "1";
                await ProblemResponses.WriteAsync(
                    rejected.HttpContext,
                    "Too many Predict calls at once",
                    string.Create(CultureInfo.InvariantCulture, $"At most {perUser} Predict calls per user run at once; retry when one has finished."));
            };
        });
        return builder;
    }
}
