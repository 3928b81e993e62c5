using System.CommandLine;
using System.Globalization;
using PfnStudio.Tokens.Accounts;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.Organizations;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Operator;

/// <summary>
/// <c>tokens issue | list | revoke | revoke-all</c>. <c>tokens issue</c> writes the plaintext token and nothing else to
/// standard output; with <c>--org</c>, <c>--scope</c> or <c>--project</c> it asks the service for a fine-grained token,
/// validated by the same rules (and with the same messages) as the API tokens page.
/// </summary>
internal static class TokensCommands
{
    public static Command Create(OperatorConsole console)
    {
        var tokenUser = new Option<string>("--user") { Description = "The token owner's e-mail address.", Required = true };
        var tokenName = new Option<string>("--name") { Description = "The token's name.", Required = true };
        var expiresIn = new Option<string>("--expires-in") { Description = "Days until it expires (1–3650); omit for never." };
        var organization = new Option<string>("--org")
        {
            Description = "Make it fine-grained: the one organization (slug) it may reach; the user must be an accepted member. Needs --scope.",
        };
        var projects = new Option<string[]>("--project")
        {
            Description = "Limit it to this project of --org (slug); repeat for several. Omit for every project of the organization.",
        };
        var scopes = new Option<string[]>("--scope")
        {
            Description = "Its permissions, comma-separated or repeated: read, push, predict. Needs --org.",
        };
        var issue = OperatorHelp.WithExamples(
            new Command(
                "issue",
                "Issue a personal access token; prints it once on standard output. Without --org, --scope and --project it has full "
                + "access (scope pat); with them it is fine-grained: one organization, all or chosen projects, the permissions given.")
            {
                tokenUser, tokenName, expiresIn, organization, projects, scopes,
            },
            "tokens issue --user ci@example.com --name pipeline --expires-in 90",
            "tokens issue --user ci@example.com --name deploy --org acme --scope read,push",
            "tokens issue --user ci@example.com --name demo-ci --org acme --project gp-demo --project gp-prod --scope read --scope push");
        issue.SetAction((parse, ct) => console.InScopeAsync(async s =>
        {
            var userId = await s.GetRequiredService<OrganizationService>().FindUserIdByEmailAsync(parse.GetValue(tokenUser), ct);
            if (userId is null)
            {
                return await console.NoAccountAsync(parse.GetValue(tokenUser));
            }

            // Any of the three options asks for a fine-grained token; the service checks it exactly as it checks the page's form.
            var chosen = parse.GetValue(projects) ?? [];
            var access = parse.GetResult(organization) is null && parse.GetResult(scopes) is null && parse.GetResult(projects) is null
                ? TokenAccessRequest.FullAccess
                : new TokenAccessRequest(
                    TokenAccessRequest.FineGrainedValue,
                    parse.GetValue(organization),
                    chosen.Length > 0 ? TokenAccessRequest.ChosenProjectsValue : TokenAccessRequest.AllProjectsValue,
                    chosen,
                    parse.GetValue(scopes) ?? []);
            var result = await s.GetRequiredService<PersonalAccessTokenService>()
                .IssueAsync(userId, parse.GetValue(tokenName), parse.GetValue(expiresIn), access, issueRequestId: null, ct);
            if (!result.Succeeded)
            {
                return await console.FailAsync($"error: {result.Errors.Values.First()}");
            }

            // The one place the plaintext appears: standard output, alone, for a script to capture.
            await console.Out.WriteLineAsync(result.Plaintext);
            return OperatorCommandLine.Done;
        }));

        var revoke = new Command("revoke", "Revoke a user's active token by name.") { tokenUser, tokenName };
        revoke.SetAction((parse, ct) => console.InScopeAsync(async s =>
        {
            var userId = await s.GetRequiredService<OrganizationService>().FindUserIdByEmailAsync(parse.GetValue(tokenUser), ct);
            if (userId is null)
            {
                return await console.NoAccountAsync(parse.GetValue(tokenUser));
            }

            var tokens = s.GetRequiredService<PersonalAccessTokenService>();
            var name = parse.GetValue(tokenName)!.Trim();
            var token = (await tokens.ListAsync(userId, ct)).Active.FirstOrDefault(t => t.Name == name);
            if (token is null || await tokens.RevokeAsync(userId, token.Id, RevocationDetails.ByOperatorCommandLine, ct) is null)
            {
                return await console.FailAsync($"error: {parse.GetValue(tokenUser)} has no active token named \"{name}\".");
            }

            await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Revoked token \"{name}\" ({token.DisplayPrefix})."));
            return OperatorCommandLine.Done;
        }));

        var revokeAll = new Command("revoke-all", "Revoke every active token of a user, in one transaction (each revoke is an audit row).") { tokenUser };
        revokeAll.SetAction((parse, ct) => console.InScopeAsync(async s =>
        {
            // A token revoked meanwhile by someone else is not counted: it was already what was asked.
            var result = await s.GetRequiredService<AccountAdministration>().RevokeAllTokensAsync(parse.GetValue(tokenUser), ct);
            if (!result.Succeeded)
            {
                return await console.FailAsync($"error: {result.Message}");
            }

            await console.Out.WriteLineAsync(result.Message);
            return OperatorCommandLine.Done;
        }));

        var all = new Option<bool>("--all") { Description = "Also list revoked and expired tokens." };
        var list = new Command("list", "List a user's tokens: name, prefix, scopes, created, expires, last used, state (never the secret).") { tokenUser, all };
        list.SetAction((parse, ct) => console.InScopeAsync(async s =>
        {
            var userId = await s.GetRequiredService<OrganizationService>().FindUserIdByEmailAsync(parse.GetValue(tokenUser), ct);
            if (userId is null)
            {
                return await console.NoAccountAsync(parse.GetValue(tokenUser));
            }

            var now = s.GetRequiredService<TimeProvider>().GetUtcNow();
            var tokens = await s.GetRequiredService<PersonalAccessTokenService>().ListAsync(userId, ct);
            var shown = parse.GetValue(all) ? tokens.Active.Concat(tokens.Ended) : tokens.Active;
            return await console.WriteTableAsync(
                ["NAME", "PREFIX", "SCOPES", "CREATED (UTC)", "EXPIRES (UTC)", "LAST USED", "STATE"],
                [.. shown.Select(t => new[]
                {
                    t.Name,
                    t.DisplayPrefix,
                    t.Access.Describe(),
                    OperatorConsole.Instant(t.CreatedAt),
                    t.ExpiresAt is null ? "never" : OperatorConsole.Instant(t.ExpiresAt),
                    t.DescribeLastUse(now),
                    t.RevokedAt is not null ? "revoked" : t.IsActiveAt(now) ? "active" : "expired",
                })],
                parse.GetValue(all) ? $"{parse.GetValue(tokenUser)} has no tokens." : $"{parse.GetValue(tokenUser)} has no active tokens.");
        }));

        return new Command("tokens", "Personal access tokens.") { issue, list, revoke, revokeAll };
    }
}
