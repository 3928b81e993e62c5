namespace PfnStudio.Tokens.Accounts;

/// <summary>Browser account settings, bound from the <c>Accounts</c> section.</summary>
internal sealed class AccountOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Accounts";

    /// <summary>
    /// Whether a new account must confirm its e-mail address before it can sign in. Off by default: the
    /// service has no mail server, and the confirmation link is written to the log (at Warning) instead.
    /// </summary>
    public bool RequireConfirmedEmail { get; set; }
}
