using System.Text;

namespace PfnStudio.Tokens.Pages;

/// <summary>The avatar's letters: up to two initials from the local part of an e-mail address.</summary>
internal static class Initials
{
    /// <summary>
    /// "ada.lovelace@example.com" → "AL"; "grace@example.com" → "G"; an empty name → "?".
    /// </summary>
    public static string Of(string userName)
    {
        var local = userName.Split('@')[0];
        var parts = local.Split(['.', '_', '-', '+', ' '], StringSplitOptions.RemoveEmptyEntries);
        var letters = parts
            .Select(p => p.EnumerateRunes().FirstOrDefault(r => Rune.IsLetterOrDigit(r)))
            .Where(r => r.Value != 0)
            .Take(2)
            .Select(r => Rune.ToUpperInvariant(r).ToString());
        var initials = string.Concat(letters);
        return initials.Length == 0 ? "?" : initials;
    }
}
