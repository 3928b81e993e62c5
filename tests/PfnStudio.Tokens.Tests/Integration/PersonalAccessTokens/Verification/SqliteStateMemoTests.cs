using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.PersonalAccessTokens.Verification;

/// <summary>
/// On a SQLite store in WAL mode a warm token's state is read again only after something was committed (the WAL
/// index header changed): no statement while the store is unchanged, and every commit — from the host, from another
/// connection, from another process — is seen by the next request.
/// </summary>
public sealed class SqliteStateMemoTests
{
    [Fact]
    public async Task WhileNothingIsCommittedAWarmTokenRunsNoStatement()
    {
        await using var app = await WarmAppAsync();
        var (token, _) = await WarmTokenAsync(app, "quiet@example.com");
        var before = Statements(app);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        }

        Assert.Equal(before, Statements(app));
    }

    [Theory]
    [InlineData("revoke")]
    [InlineData("expire")]
    [InlineData("disable owner")]
    public async Task ACommitFromAnotherConnectionIsSeenByTheNextRequest(string change)
    {
        await using var app = await WarmAppAsync();
        var (token, userId) = await WarmTokenAsync(app, $"{change.Replace(' ', '-')}@example.com");
        var before = Statements(app);

        var (sql, key) = change switch
        {
            "revoke" => ("UPDATE \"PersonalAccessTokens\" SET \"RevokedAt\" = @at WHERE \"Prefix\" = @key", token[14..26]),
            "expire" => ("UPDATE \"PersonalAccessTokens\" SET \"ExpiresAt\" = @at WHERE \"Prefix\" = @key", token[14..26]),
            _ => ("UPDATE \"AspNetUsers\" SET \"DisabledAt\" = @at WHERE \"Id\" = @key", userId),
        };
        await app.UpdateOneRowFromAnotherConnectionAsync(sql, app.Clock.GetUtcNow().AddSeconds(-1), key);

        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token));
        Assert.True(Statements(app) > before, "the request after the commit read the row");
    }

    [Fact]
    public async Task AnUnrelatedCommitMakesTheNextRequestReadAgainAndTheOneAfterNot()
    {
        await using var app = await WarmAppAsync();
        var (token, userId) = await WarmTokenAsync(app, "unrelated@example.com");

        await app.IssueTokenAsync(userId, "another");
        var before = Statements(app);
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        Assert.Equal(before + 1, Statements(app));
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        Assert.Equal(before + 1, Statements(app));
    }

    [Fact]
    public async Task AnUnknownPrefixIsReadEveryTimeALivePrefixOnce()
    {
        await using var app = await WarmAppAsync();
        var (token, _) = await WarmTokenAsync(app, "prefixes@example.com");
        var unknown = PfnStudio.Tokens.PersonalAccessTokens.PersonalAccessTokenFormat.WithChecksum("pfnstudio_pat_zzzzzzzzzzzz" + new string('q', 20));

        var before = Statements(app);
        for (var seed = 1; seed <= 3; seed++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(unknown.WithWrongSecret(seed)));
        }

        Assert.Equal(before + 3, Statements(app));

        // The live prefix's state was remembered by the warm-up: wrong secrets behind it run no statement.
        for (var seed = 1; seed <= 3; seed++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token.WithWrongSecret(seed)));
        }

        Assert.Equal(before + 3, Statements(app));
    }

    [Fact]
    public async Task ARevokeFromAnotherProcessIsSeenByTheNextRequest()
    {
        var python = RequirePython();
        await using var app = await WarmAppAsync();
        var (token, _) = await WarmTokenAsync(app, "process@example.com");

        // Python's sqlite3 module: another process, another SQLite library, the same file.
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     "-c",
                     "import sqlite3, sys\n"
                     + "c = sqlite3.connect(sys.argv[1])\n"
                     + "n = c.execute('UPDATE \"PersonalAccessTokens\" SET \"RevokedAt\" = ? WHERE \"Prefix\" = ?', (int(sys.argv[2]), sys.argv[3])).rowcount\n"
                     + "c.commit()\n"
                     + "print(n)",
                     app.DatabasePath,
                     app.Clock.GetUtcNow().UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     token[14..26],
                 })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, errors);
        Assert.Equal("1", output.Trim());

        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token));
    }

    private static Task<TokensApplication> WarmAppAsync()
    {
        Assert.SkipWhen(TokensApplication.IsPostgres, "The WAL-index memo is SQLite's; PostgreSQL batches its reads instead (BatchedReadTests).");
        return Task.FromResult(new TokensApplication());
    }

    // Issued, verified (Argon2 once) and used once more, so its state is remembered.
    private static async Task<(string Token, string UserId)> WarmTokenAsync(TokensApplication app, string email)
    {
        var user = await app.CreateUserAsync(email);
        var token = await app.IssueTokenAsync(user.Id, "memo");
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        return (token, user.Id);
    }

    private static long Statements(TokensApplication app) => app.Services.GetRequiredService<TokenStateReader>().Statements;

    private static string RequirePython() =>
        Requirement.OnPath("python3", "python3 is not on PATH: apt-get install python3 to revoke from another process.");
}
