using System.ComponentModel.DataAnnotations;

namespace PfnStudio.Tokens.PersonalAccessTokens.LeakReports;

/// <summary>Settings of <c>POST /api/v1/tokens/leaked</c>, bound from the <c>LeakedTokenReports</c> section and validated at start.</summary>
internal sealed class LeakedTokenReportOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "LeakedTokenReports";

    /// <summary>
    /// Reports one client address (an IPv6 /64, keyed like the token path's failure limit) may send per
    /// <see cref="WindowSeconds"/>; more get 429 with Retry-After. Default 30.
    /// </summary>
    [Range(1, 100_000)]
    public int ReportsPerWindow { get; set; } = 30;

    /// <summary>The window of <see cref="ReportsPerWindow"/>, in seconds. Default 60.</summary>
    [Range(1, 86_400)]
    public int WindowSeconds { get; set; } = 60;

    /// <summary>Reports waiting to be acted on, at most; beyond it the endpoint answers 503 with Retry-After. Default 100.</summary>
    [Range(1, 10_000)]
    public int QueueCapacity { get; set; } = 100;

    /// <summary>Days a leaked token's red notice stays on its owner's tokens page. Default 30.</summary>
    [Range(1, 365)]
    public int NoticeDays { get; set; } = 30;
}
