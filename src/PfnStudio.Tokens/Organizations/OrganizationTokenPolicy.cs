namespace PfnStudio.Tokens.Organizations;

/// <summary>
/// An organization's token policy, set by its owners: the longest lifetime (issue to expiry, in days) of a token that
/// may reach its projects, and whether full-access (<c>pat</c>) tokens may reach them at all. A token that breaks it
/// gets <c>403</c> on the organization's project routes with <see cref="Violation"/> as the description, and issuing,
/// regenerating or rotating a fine-grained token for the organization offers only lifetimes it allows.
/// </summary>
/// <param name="Slug">The organization's slug, for messages.</param>
/// <param name="MaxLifetimeDays">The cap, or <see langword="null"/> for none.</param>
/// <param name="AllowFullAccess">Whether full-access tokens may reach the organization's projects.</param>
internal sealed record OrganizationTokenPolicy(string Slug, int? MaxLifetimeDays, bool AllowFullAccess)
{
    /// <summary>The largest cap an owner may set (the longest expiry a token may have).</summary>
    public const int MaxDays = 3650;

    /// <summary>Whether the policy restricts anything.</summary>
    public bool IsSet => MaxLifetimeDays is not null || !AllowFullAccess;

    /// <summary>The policy in words, e.g. "tokens live at most 30 days; only fine-grained tokens".</summary>
    public string Describe() => !IsSet ? "no restrictions" : string.Join("; ", new[]
    {
        MaxLifetimeDays is { } days ? $"tokens live at most {days} {(days == 1 ? "day" : "days")}" : null,
        AllowFullAccess ? null : "only fine-grained tokens",
    }.OfType<string>());

    /// <summary>
    /// Why a token with this access and lifetime may not reach the organization's projects, or <see langword="null"/>
    /// when it may.
    /// </summary>
    public string? Violation(bool fullAccess, DateTimeOffset createdAt, DateTimeOffset? expiresAt)
    {
        if (fullAccess && !AllowFullAccess)
        {
            return $"The organization \"{Slug}\" allows only fine-grained tokens (its token policy); issue a fine-grained token for it.";
        }

        if (MaxLifetimeDays is { } max && LifetimeDays(createdAt, expiresAt) is var lifetime && (lifetime is null || lifetime > max))
        {
            return $"The organization \"{Slug}\" allows tokens that live at most {max} {(max == 1 ? "day" : "days")} (its token policy); "
                + (lifetime is { } days ? $"this token lives {days} days." : "this token never expires.");
        }

        return null;
    }

    /// <summary>A token's lifetime in whole days (rounded up), or <see langword="null"/> when it never expires.</summary>
    public static int? LifetimeDays(DateTimeOffset createdAt, DateTimeOffset? expiresAt) =>
        expiresAt is { } at ? (int)Math.Ceiling(((at - createdAt).TotalDays) - 1e-9) : null;
}
