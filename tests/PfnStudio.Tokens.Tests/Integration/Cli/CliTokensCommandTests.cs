using System.Net;
using System.Text.Json;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Cli;

/// <summary>
/// <c>pfnstudio tokens list|revoke|rotate</c> against a real host: rotate replaces a saved login's token in the config
/// file (never printing it) and prints a PFNSTUDIO_TOKEN's successor on standard output only; errors are one line and
/// a non-zero exit.
/// </summary>
public sealed class CliTokensCommandTests : IDisposable
{
    private readonly string _configHome = Directory.CreateTempSubdirectory("pfnstudio-cli-tokens-").FullName;

    private string ConfigPath => Path.Combine(_configHome, "pfnstudio", "config.json");

    public void Dispose() => Directory.Delete(_configHome, recursive: true);

    [Fact]
    public async Task ListShowsTheTokensWithTheirStateAndJsonHasTheServersFields()
    {
        await using var app = new TokensApplication();
        var (userId, token) = await app.CreateDemoMemberWithTokenAsync("cli-list@example.com");
        var other = await app.IssueTokenAsync(userId, "laptop");

        var table = await app.RunCliAsync(["tokens", "list"], CliHarness.TokenEnvironment(token));
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.StartsWith("ID", table.OutLines[0], StringComparison.Ordinal);
        Assert.Contains(table.OutLines, l => l.Contains("laptop", StringComparison.Ordinal) && l.Contains("active", StringComparison.Ordinal)
            && l.Contains($"{other[..26]}…", StringComparison.Ordinal));
        Assert.DoesNotContain(other[26..], table.Out, StringComparison.Ordinal);

        var json = await app.RunCliAsync(["tokens", "list", "--state", "active", "--json"], CliHarness.TokenEnvironment(token));
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(2, document.RootElement.GetProperty("items").GetArrayLength());

        var bad = await app.RunCliAsync(["tokens", "list", "--state", "bogus"], CliHarness.TokenEnvironment(token));
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public async Task RevokeByIdStopsTheTokenAndAnUnknownIdIsOneLineAndExit6()
    {
        await using var app = new TokensApplication();
        var (userId, token) = await app.CreateDemoMemberWithTokenAsync("cli-revoke@example.com");
        var laptop = await app.IssueTokenAsync(userId, "laptop");
        var id = await app.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(
            db.PersonalAccessTokens.Where(t => t.Name == "laptop").Select(t => t.Id)));

        var revoked = await app.RunCliAsync(["tokens", "revoke", id.ToString()], CliHarness.TokenEnvironment(token));
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.Equal([$"revoked laptop ({laptop[..26]}…)"], revoked.OutLines);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClientWithToken(laptop).GetAsync("/api/v1/me")).StatusCode);

        var unknown = await app.RunCliAsync(["tokens", "revoke", Guid.NewGuid().ToString()], CliHarness.TokenEnvironment(token));
        Assert.Equal(6, unknown.ExitCode);
        Assert.Single(unknown.ErrorLines);

        var malformed = await app.RunCliAsync(["tokens", "revoke", "nope"], CliHarness.TokenEnvironment(token));
        Assert.Equal(2, malformed.ExitCode);
        Assert.Single(malformed.ErrorLines);
    }

    [Fact]
    public async Task RotateWithASavedLoginReplacesItInTheConfigFileWithoutPrintingItAndTheNextCommandUsesIt()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("cli-rotate@example.com", expiresInDays: 30);
        Assert.Equal(0, (await app.RunCliAsync(["auth", "login"], Config(), standardInput: token + "\n")).ExitCode);

        var rotated = await app.RunCliAsync(["tokens", "rotate", "--expires-in-days", "7"], Config());
        Assert.True(rotated.ExitCode == 0, rotated.ToString());
        string saved;
        using (var file = JsonDocument.Parse(await File.ReadAllTextAsync(ConfigPath, TestContext.Current.CancellationToken)))
        {
            saved = file.RootElement.GetProperty("token").GetString()!;
        }

        Assert.NotEqual(token, saved);
        Assert.DoesNotContain(saved[14..], rotated.Out + rotated.Error, StringComparison.Ordinal);
        Assert.Contains($"now {saved[..26]}…", rotated.Out, StringComparison.Ordinal);
        Assert.Contains($"saved in {ConfigPath}", rotated.Out, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClientWithToken(token).GetAsync("/api/v1/me")).StatusCode);

        var whoami = await app.RunCliAsync(["whoami"], Config());
        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        Assert.Contains(whoami.OutLines, l => l.StartsWith("prefix", StringComparison.Ordinal) && l.Contains(saved[14..26], StringComparison.Ordinal));
    }

    [Fact]
    public async Task RotateWithPfnstudioTokenPrintsOnlyTheNewTokenOnStandardOutput()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("cli-env@example.com");

        var rotated = await app.RunCliAsync(["tokens", "rotate"], CliHarness.TokenEnvironment(token));
        Assert.True(rotated.ExitCode == 0, rotated.ToString());
        var successor = Assert.Single(rotated.OutLines);
        Assert.StartsWith("pfnstudio_pat_", successor, StringComparison.Ordinal);
        Assert.Contains("PFNSTUDIO_TOKEN still holds the revoked token", rotated.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClientWithToken(successor).GetAsync("/api/v1/me")).StatusCode);

        // The old token again: refused, one line, exit 4.
        var again = await app.RunCliAsync(["tokens", "rotate"], CliHarness.TokenEnvironment(token));
        Assert.Equal(4, again.ExitCode);
        Assert.Single(again.ErrorLines);
        Assert.Empty(again.Out);
    }

    [Fact]
    public async Task RotateLongerThanTheOldTokensLifetimeIsOneLineAndChangesNothing()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("cli-long@example.com", expiresInDays: 10);

        var refused = await app.RunCliAsync(["tokens", "rotate", "--expires-in-days", "11"], CliHarness.TokenEnvironment(token));
        Assert.Equal(7, refused.ExitCode);
        Assert.Contains("from 1 to 10", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClientWithToken(token).GetAsync("/api/v1/me")).StatusCode);

        var outOfRange = await app.RunCliAsync(["tokens", "rotate", "--expires-in-days", "0"], CliHarness.TokenEnvironment(token));
        Assert.Equal(2, outOfRange.ExitCode);
    }

    private Dictionary<string, string> Config() => new(StringComparer.Ordinal) { ["XDG_CONFIG_HOME"] = _configHome };
}
