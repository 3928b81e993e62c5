using System.CommandLine;

namespace PfnStudio.Cli.Commands;

/// <summary>
/// <c>pfnstudio whoami</c>: the user and token behind the token (<c>GET /api/v1/me</c>): scopes as <c>read, push</c> or
/// <c>pat (full access)</c>, access, organization and projects (<c>all</c> for every project of the organization,
/// <c>—</c> for a full-access token).
/// </summary>
internal static class WhoamiCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var command = HelpWithExamplesAction.WithExamples(
            new Command("whoami", "Show the user the token acts as, and the token's name, prefix, scopes, access (full, or fine-grained: one organization and all or some of its projects) and expiry."),
            "pfnstudio whoami",
            "PFNSTUDIO_URL=https://studio.example.com pfnstudio whoami --json");
        Invocation.Bind(command, context, global, async (run, _, cancellationToken) =>
        {
            var response = await run.Api.SendAsync(HttpMethod.Get, "api/v1/me", null, null, cancellationToken);
            if (run.Json)
            {
                await run.WriteJsonAsync(response, ApiJsonContext.Default.MeBody);
                return;
            }

            var me = ApiJson.Read(response, ApiJsonContext.Default.MeBody);
            var table = new Table("FIELD", "VALUE");
            table.Add("user", me.User.Email ?? me.User.Id);
            table.Add("token", me.Token.Name);
            table.Add("prefix", $"pfnstudio_pat_{me.Token.Prefix}…");
            table.Add("scopes", me.Token.ScopesPhrase);
            table.Add("access", me.Token.Access ?? (me.Token.IsFullAccess ? "full" : "unknown"));
            table.Add("organization", me.Token.IsFullAccess ? "—" : me.Token.Organization ?? "unknown");
            table.Add("projects", me.Token.IsFullAccess ? "—" : me.Token.Projects is { } projects ? string.Join(", ", projects) : "all");
            table.Add("created", Table.Instant(me.Token.CreatedAt));
            table.Add("expires", me.Token.ExpiresAt is { } expiresAt ? Table.Instant(expiresAt) : "never");
            table.Add("server", run.Connection.BaseUrlText);
            await table.WriteAsync(run.Out);
        });
        return command;
    }
}
