using System.Text.RegularExpressions;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Organizations;

/// <summary>The naming rules of organizations and projects, and the roles' names.</summary>
internal static partial class OrganizationRules
{
    /// <summary>Rule for organization and project slugs, as people read it.</summary>
    public const string SlugRule =
        "1–64 characters: lower-case letters, digits and hyphens, starting and ending with a letter or digit";

    /// <summary>Whether <paramref name="slug"/> follows <see cref="SlugRule"/>.</summary>
    public static bool IsValidSlug(string slug) => SlugPattern().IsMatch(slug);

    /// <summary>The role's lower-case name: <c>owner</c>, <c>admin</c> or <c>member</c>.</summary>
    public static string RoleName(OrganizationRole role) => role switch
    {
        OrganizationRole.Owner => "owner",
        OrganizationRole.Admin => "admin",
        _ => "member",
    };

    /// <summary>Parses <c>owner</c>, <c>admin</c> or <c>member</c> (case-insensitive).</summary>
    public static bool TryParseRole(string? text, out OrganizationRole role)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "OWNER":
                role = OrganizationRole.Owner;
                return true;
            case "ADMIN":
                role = OrganizationRole.Admin;
                return true;
            case "MEMBER":
                role = OrganizationRole.Member;
                return true;
            default:
                role = OrganizationRole.Member;
                return false;
        }
    }

    // \z, not $: "$" also matches before a final line feed, which would let "acme\n" through.
    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();
}
