using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Cli;

/// <summary>
/// <c>pfnstudio</c> with fine-grained tokens against the real host: <c>whoami</c> shows what the token may reach,
/// a missing permission is one line naming it and where to issue a token that has it (exit 5), and a project
/// outside the token's reach keeps the server's sentence.
/// </summary>
public sealed class CliFineGrainedTokenTests : IDisposable
{
    private const string ModelYaml = "name: smooth\nprior: gp\nkernel: matern52\nlengthscale: 0.5\noutputscale: 2\nnoise: 0.01\n";

    private readonly string _directory = Directory.CreateTempSubdirectory("pfnstudio-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task WhoamiForAFineGrainedTokenShowsItsPermissionsOrganizationAndProjects()
    {
        await using var app = new TokensApplication();
        var userId = await CreateAcmeOwnerAsync(app);
        var chosen = await app.IssueFineGrainedTokenAsync(userId, "deploy", "acme", ["push", "read"], ["gp-demo", "gp-prod"]);
        var everyProject = await app.IssueFineGrainedTokenAsync(userId, "reader", "acme", ["read"]);

        var forChosen = await app.RunCliAsync(["whoami"], CliHarness.TokenEnvironment(chosen));
        var forEveryProject = await app.RunCliAsync(["whoami"], CliHarness.TokenEnvironment(everyProject));

        Assert.True(forChosen.ExitCode == 0, forChosen.ToString());
        Assert.Equal("", forChosen.Error);
        Assert.Equal(
            [
                "FIELD         VALUE",
                "user          ada@example.com",
                "token         deploy",
                $"prefix        {chosen[..26]}…",
                "scopes        read, push",
                "access        fine-grained",
                "organization  acme",
                "projects      gp-demo, gp-prod",
                "created       2026-11-29 12:00:00Z",
                "expires       never",
                "server        https://localhost",
            ],
            forChosen.OutLines);
        Assert.True(forEveryProject.ExitCode == 0, forEveryProject.ToString());
        Assert.Equal(
            ["scopes        read", "access        fine-grained", "organization  acme", "projects      all"],
            forEveryProject.OutLines[4..8]);
        Assert.DoesNotContain(chosen, forChosen.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhoamiForAFullAccessTokenSaysSo()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("full@example.com");

        var result = await app.RunCliAsync(["whoami"], CliHarness.TokenEnvironment(token));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [
                "FIELD         VALUE",
                "user          full@example.com",
                "token         cli full@example.com",
                $"prefix        {token[..26]}…",
                "scopes        pat (full access)",
                "access        full",
                "organization  —",
                "projects      —",
                "created       2026-11-29 12:00:00Z",
                "expires       never",
                "server        https://localhost",
            ],
            result.OutLines);
    }

    [Fact]
    public async Task WhoamiJsonPassesTheServersAccessOrganizationAndProjectsThrough()
    {
        await using var app = new TokensApplication();
        var userId = await CreateAcmeOwnerAsync(app);
        var chosen = await app.IssueFineGrainedTokenAsync(userId, "deploy", "acme", ["read", "push"], ["gp-demo"]);
        var everyProject = await app.IssueFineGrainedTokenAsync(userId, "reader", "acme", ["read"]);
        var full = await app.IssueTokenAsync(userId, "laptop");

        var forChosen = await app.RunCliAsync(["whoami", "--json"], CliHarness.TokenEnvironment(chosen));
        var forEveryProject = await app.RunCliAsync(["whoami", "--json"], CliHarness.TokenEnvironment(everyProject));
        var forFull = await app.RunCliAsync(["whoami", "--json"], CliHarness.TokenEnvironment(full));

        Assert.True(forChosen.ExitCode == 0, forChosen.ToString());
        using (var body = JsonDocument.Parse(forChosen.Out))
        {
            var token = body.RootElement.GetProperty("token");
            Assert.Equal("fine-grained", token.GetProperty("access").GetString());
            Assert.Equal(["read", "push"], token.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
            Assert.Equal("acme", token.GetProperty("organization").GetString());
            Assert.Equal(["gp-demo"], token.GetProperty("projects").EnumerateArray().Select(s => s.GetString()));
        }

        using (var body = JsonDocument.Parse(forEveryProject.Out))
        {
            Assert.Equal("acme", body.RootElement.GetProperty("token").GetProperty("organization").GetString());
            Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("token").GetProperty("projects").ValueKind);
        }

        using (var body = JsonDocument.Parse(forFull.Out))
        {
            var token = body.RootElement.GetProperty("token");
            Assert.Equal("full", token.GetProperty("access").GetString());
            Assert.Equal(JsonValueKind.Null, token.GetProperty("organization").ValueKind);
            Assert.Equal(JsonValueKind.Null, token.GetProperty("projects").ValueKind);
        }
    }

    [Fact]
    public async Task PushWithAReadOnlyTokenNamesTheMissingPermissionAndWhereToIssueOneAndExitsWithFive()
    {
        await using var app = new TokensApplication();
        var userId = await CreateAcmeOwnerAsync(app);
        var token = await app.IssueFineGrainedTokenAsync(userId, "reader", "acme", ["read"]);
        await File.WriteAllTextAsync(Path.Combine(_directory, "model.yaml"), ModelYaml, TestContext.Current.CancellationToken);

        var pushed = await app.RunCliAsync(["push", "model", "model.yaml", "-p", "gp-demo"], CliHarness.TokenEnvironment(token), workingDirectory: _directory);
        var listed = await app.RunCliAsync(["models", "list", "-p", "gp-demo"], CliHarness.TokenEnvironment(token));

        Assert.Equal(5, pushed.ExitCode);
        Assert.Equal(["error: this token may not push: issue one with the push permission at https://localhost/api-tokens"], pushed.ErrorLines);
        Assert.Equal("", pushed.Out);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Equal(0, await app.WithDbAsync(db => db.ModelSpecs.CountAsync()));
    }

    [Fact]
    public async Task AProjectOutsideTheTokensReachGetsTheServersSentenceAndExitsWithFive()
    {
        await using var app = new TokensApplication();
        var userId = await CreateAcmeOwnerAsync(app);
        var token = await app.IssueFineGrainedTokenAsync(userId, "deploy", "acme", ["read", "push"], ["gp-demo"]);

        var result = await app.RunCliAsync(["priors", "list", "-p", "gp-prod"], CliHarness.TokenEnvironment(token));

        Assert.Equal(5, result.ExitCode);
        Assert.Equal(
            ["forbidden (403): This token is limited to other projects (acme / gp-demo); \"gp-prod\" is not one of them."],
            result.ErrorLines);
        Assert.Equal("", result.Out);
    }

    // ada@example.com, owner of "acme" with projects gp-demo and gp-prod.
    private static async Task<string> CreateAcmeOwnerAsync(TokensApplication app)
    {
        var user = await app.CreateUserAsync("ada@example.com");
        Assert.True((await app.WithOrganizationsAsync(o => o.CreateOrganizationAsync("acme", null, user.Id))).Succeeded);
        Assert.True((await app.WithProjectsAsync(p => p.CreateProjectAsync("acme", user.Id, "gp-demo"))).Succeeded);
        Assert.True((await app.WithProjectsAsync(p => p.CreateProjectAsync("acme", user.Id, "gp-prod"))).Succeeded);
        return user.Id;
    }
}
