using System.Globalization;
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
    public static WebApplicationBuilder AddPredictLimits(this WebApplicationBuilder builder) =>
        builder.AddPerUserConcurrencyLimit(
            Policy,
            "Predict:MaxConcurrentPerUser",
            "Too many Predict calls at once",
            perUser => string.Create(CultureInfo.InvariantCulture, $"At most {perUser} Predict calls per user run at once; retry when one has finished."));
}
