using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace PfnStudio.Tokens.Infrastructure;

/// <summary>
/// Per-user concurrency limits on the framework's rate limiter, one policy per costly route group: each user
/// (whichever of their tokens is used) runs at most the configured number of calls at once (1–64, default 2); a
/// further call gets 429 with <c>Retry-After: 1</c> and a problem body in the policy's own words. One rejection
/// handler serves every policy (also those a feature registers itself with <see cref="AddRateLimitRejection"/>), so
/// policies can be added in any order.
/// </summary>
internal static class PerUserConcurrencyLimits
{
    /// <summary>Registers <paramref name="policy"/>, limited by the setting <paramref name="setting"/>.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="policy">The rate limiter policy name the routes require.</param>
    /// <param name="setting">The configuration key of the limit, e.g. <c>Predict:MaxConcurrentPerUser</c>.</param>
    /// <param name="title">The 429 problem's title.</param>
    /// <param name="detail">The 429 problem's detail, given the limit.</param>
    /// <exception cref="InvalidOperationException">The setting is out of range.</exception>
    public static WebApplicationBuilder AddPerUserConcurrencyLimit(
        this WebApplicationBuilder builder, string policy, string setting, string title, Func<int, string> detail)
    {
        var perUser = builder.Configuration.GetValue(setting, 2);
        if (perUser is < 1 or > 64)
        {
            throw new InvalidOperationException($"{setting} must be between 1 and 64; it is {perUser}.");
        }

        builder.Services.Configure<Rejections>(r => r.ByPolicy[policy] = (title, detail(perUser)));
        builder.Services.AddRateLimiter(options =>
        {
            options.AddPolicy(policy, context => RateLimitPartition.GetConcurrencyLimiter(
                context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous",
                _ => new ConcurrencyLimiterOptions { PermitLimit = perUser, QueueLimit = 0 }));
            options.OnRejected = RejectAsync;
        });
        return builder;
    }

    /// <summary>
    /// Gives <paramref name="policy"/> (registered by its feature, e.g. a fixed window per client address) this
    /// rejection's words, and makes sure the one rejection handler answers for it.
    /// </summary>
    public static IServiceCollection AddRateLimitRejection(this IServiceCollection services, string policy, string title, string detail)
    {
        services.Configure<Rejections>(r => r.ByPolicy[policy] = (title, detail));
        services.AddRateLimiter(options => options.OnRejected = RejectAsync);
        return services;
    }

    // Retry-After: the limiter's own figure when it has one (a window's end, rounded up), else 1 s.
    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var policy = rejected.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
        var texts = rejected.HttpContext.RequestServices.GetRequiredService<IOptions<Rejections>>().Value.ByPolicy;
        var (title, detail) = policy is not null && texts.TryGetValue(policy, out var found)
            ? found
            : ("Too many calls at once", "Too many calls of this kind run at once; retry when one has finished.");
        var response = rejected.HttpContext.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
        response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await ProblemResponses.WriteAsync(rejected.HttpContext, title, detail);
    }

    private sealed class Rejections
    {
        public Dictionary<string, (string Title, string Detail)> ByPolicy { get; } = new(StringComparer.Ordinal);
    }
}
