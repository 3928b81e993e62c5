using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Audit;

/// <summary>One line of a user's "Recent activity": an <see cref="AuditEvent"/> with its token's name.</summary>
/// <param name="OccurredAt">When it happened (UTC).</param>
/// <param name="Kind">What happened.</param>
/// <param name="TokenName">The token's name, or <see langword="null"/> when the token row is gone.</param>
/// <param name="TokenPrefix">The token's public 12-character prefix.</param>
/// <param name="ClientAddress">The requesting client's address, or <see langword="null"/> (issue and revoke, or unknown).</param>
/// <param name="Detail">A short explanation, or <see langword="null"/>.</param>
/// <param name="TokenAccess">What the token may reach (<see cref="PersonalAccessTokens.TokenAccess.Describe"/>), or <see langword="null"/> when the row is gone.</param>
internal sealed record TokenActivity(
    DateTimeOffset OccurredAt,
    AuditEventKind Kind,
    string? TokenName,
    string TokenPrefix,
    string? ClientAddress,
    string? Detail,
    string? TokenAccess = null)
{
    /// <summary>What happened, in words: "Issued", "Revoked", "Failed use", "Expired use", "Reported leaked", "Regenerated", "Renamed", "Rotated", "Account disabled", "Account enabled", "Account deleted", and the account events of <see cref="Accounts.AccountActivity"/>.</summary>
    public string What => Kind switch
    {
        AuditEventKind.Issued => "Issued",
        AuditEventKind.Revoked => "Revoked",
        AuditEventKind.FailedUse => "Failed use",
        AuditEventKind.ExpiredUse => "Expired use",
        AuditEventKind.LeakReported => "Reported leaked",
        AuditEventKind.AccountDisabled => "Account disabled",
        AuditEventKind.AccountEnabled => "Account enabled",
        AuditEventKind.AccountDeleted => "Account deleted",
        AuditEventKind.PasswordChanged => "Password changed",
        AuditEventKind.PasswordReset => "Password reset by e-mail link",
        AuditEventKind.TwoFactorEnabled => "Two-factor authentication on",
        AuditEventKind.TwoFactorDisabled => "Two-factor authentication off",
        AuditEventKind.SignedOutEverywhere => "Signed out everywhere",
        AuditEventKind.ExpiryWarningSent => "Expiry warning mailed",
        AuditEventKind.ExpiredNoticeSent => "Expiry notice mailed",
        AuditEventKind.Regenerated => "Regenerated",
        AuditEventKind.Renamed => "Renamed",
        AuditEventKind.Rotated => "Rotated",
        _ => Kind.ToString(),
    };
}
