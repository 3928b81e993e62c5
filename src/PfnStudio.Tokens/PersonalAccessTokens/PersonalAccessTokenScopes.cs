namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>
/// The scopes a personal access token can carry (DESIGN.md "Scopes and resource owners"): either
/// <see cref="Pat"/> alone (full access) or a non-empty subset of the <see cref="Permissions"/>, for one
/// organization (the resource owner) and all or some of its projects.
/// </summary>
internal static class PersonalAccessTokenScopes
{
    /// <summary>Full access: acts as the owner on every API route the owner may use, in every organization.</summary>
    public const string Pat = "pat";

    /// <summary>List priors, model specs, runs and projects; read <c>/api/v1/me</c>.</summary>
    public const string Read = "read";

    /// <summary>Push priors and model specs.</summary>
    public const string Push = "push";

    /// <summary>Call the Predict API (which records a run).</summary>
    public const string Predict = "predict";

    /// <summary>The permissions of a fine-grained token, in the order they are shown.</summary>
    public static IReadOnlyList<string> Permissions { get; } = [Read, Push, Predict];

    /// <summary>One sentence per permission, as the issue card and the OpenAPI document say it.</summary>
    public static string Describe(string permission) => permission switch
    {
        Read => "List projects, priors, model specs and runs.",
        Push => "Push priors and model specs.",
        Predict => "Call the Predict API, which records a run.",
        _ => permission,
    };

    /// <summary>Whether <paramref name="scope"/> grants <paramref name="permission"/> (full access grants every one).</summary>
    public static bool Grants(string scope, string permission) => scope == Pat || scope == permission;

    /// <summary>The scopes as one phrase: <c>pat (full access)</c> or <c>read, push</c>.</summary>
    public static string Phrase(IReadOnlyList<string> scopes) =>
        scopes.Contains(Pat) ? "pat (full access)" : string.Join(", ", Permissions.Where(scopes.Contains));
}

/// <summary>
/// What a token may reach, with the names to show: full access, or one organization and all or some of its
/// projects. Project and organization ids decide; the slugs are for display.
/// </summary>
/// <param name="Scopes">Granted scopes (<c>pat</c>, or permissions).</param>
/// <param name="OrganizationId">The resource owner of a fine-grained token; <see langword="null"/> for full access.</param>
/// <param name="OrganizationSlug">Its slug, for display.</param>
/// <param name="ProjectIds">The chosen projects; empty means every project of the organization.</param>
/// <param name="ProjectSlugs">Their slugs, for display, in the same order.</param>
internal sealed record TokenAccess(
    IReadOnlyList<string> Scopes,
    Guid? OrganizationId,
    string? OrganizationSlug,
    IReadOnlyList<Guid> ProjectIds,
    IReadOnlyList<string> ProjectSlugs)
{
    /// <summary>Full access (the <c>pat</c> scope), as every token issued before fine-grained tokens.</summary>
    public static TokenAccess Full { get; } = new([PersonalAccessTokenScopes.Pat], null, null, [], []);

    /// <summary>Whether this is a full-access token.</summary>
    public bool IsFullAccess => OrganizationId is null;

    /// <summary>
    /// As the tokens table, the members page and the activity list show it: <c>pat (full access)</c>,
    /// <c>read, push · acme / gp-demo, gp-prod</c> or <c>read · acme (all projects)</c>.
    /// </summary>
    public string Describe() =>
        IsFullAccess
            ? PersonalAccessTokenScopes.Phrase(Scopes)
            : ProjectIds.Count == 0
                ? $"{PersonalAccessTokenScopes.Phrase(Scopes)} \u00b7 {OrganizationSlug} (all projects)"
                : $"{PersonalAccessTokenScopes.Phrase(Scopes)} \u00b7 {OrganizationSlug} / {string.Join(", ", ProjectSlugs)}";
}
