using Microsoft.AspNetCore.Identity;

namespace PfnStudio.Tokens.Accounts;

/// <summary>
/// How an e-mail address typed anywhere (sign-up, sign-in, forgot password, invitations, operator commands) is
/// compared with the stored ones: trimmed, then in Identity's normalised form (<see cref="UpperInvariantLookupNormalizer"/>,
/// the one Identity registers), the form of the indexed <c>NormalizedEmail</c> column. So "Ada@Example.com ",
/// "ada@example.com" and "ADA@EXAMPLE.COM" find the same account, and none can create a second one. Under the invariant
/// globalization mode this service runs in, the normaliser's Unicode composition step leaves text as it is: a
/// precomposed "é" and "e" + combining acute stay two addresses (upper-casing is full Unicode).
/// </summary>
internal static class AccountEmail
{
    private static readonly UpperInvariantLookupNormalizer Normalizer = new();

    /// <summary>The trimmed address as typed (what is stored for a new account), or <see langword="null"/> when blank.</summary>
    public static string? Trim(string? email) => string.IsNullOrWhiteSpace(email) ? null : email.Trim();

    /// <summary>The comparison key of <paramref name="email"/>, or <see langword="null"/> when blank.</summary>
    public static string? Normalize(string? email) => Trim(email) is { } trimmed ? Normalizer.NormalizeEmail(trimmed) : null;
}
