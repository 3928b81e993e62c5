using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.SqliteOnly.PersonalAccessTokens.Verification;

public sealed class LastUsedTests
{
    [Fact]
    public async Task LastUsedIsWrittenOnceAMinuteInOneBatchNeverPerRequest()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var laptop = await app.IssueTokenAsync(user.Id, "laptop");
        var ci = await app.IssueTokenAsync(user.Id, "ci");
        await InstallWriteCounterAsync(app);
        var usedAt = app.Clock.GetUtcNow();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(laptop));
            Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(ci));
        }

        Assert.Equal(0, await LastUsedWritesAsync(app));
        Assert.Equal([null, null], await LastUsedAsync(app));

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await HotPathExtensions.EventuallyAsync(async () => (await LastUsedAsync(app)).All(t => t is not null), "the first batch");
        Assert.Equal([usedAt, usedAt], await LastUsedAsync(app));
        Assert.Equal(2, await LastUsedWritesAsync(app));

        app.Clock.Advance(TimeSpan.FromSeconds(30));
        var laterUse = app.Clock.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(laptop));
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(laptop));
        Assert.Equal(2, await LastUsedWritesAsync(app));

        app.Clock.Advance(TimeSpan.FromSeconds(30));
        await HotPathExtensions.EventuallyAsync(async () => await LastUsedWritesAsync(app) == 3, "the second batch");
        Assert.Equal([laterUse, usedAt], await LastUsedAsync(app));
    }

    [Fact]
    public async Task TheTokensPageShowsWhenATokenWasLastUsedCoarsely()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("ada@example.com");
        var issued = await browser.IssueOnPageAsync("laptop");
        var token = issued.RevealedToken()!;
        Assert.Contains("Last used", issued.Texts("table.tokens th"));
        Assert.Equal("Never", issued.Text("table.tokens td.last-used"));

        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await HotPathExtensions.EventuallyAsync(async () => (await LastUsedAsync(app)).Single() is not null, "the batch write");

        Assert.Equal("Within the last hour", (await browser.GetAsync("/api-tokens")).Text("table.tokens td.last-used"));
        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal("Within the last day", (await browser.GetAsync("/api-tokens")).Text("table.tokens td.last-used"));
        app.Clock.Advance(TimeSpan.FromDays(10));
        Assert.Equal("2026-11-29", (await browser.GetAsync("/api-tokens")).Text("table.tokens td.last-used"));
    }

    private static Task<List<DateTimeOffset?>> LastUsedAsync(TokensApplication app) =>
        app.WithDbAsync(db => db.PersonalAccessTokens.AsNoTracking().OrderBy(t => t.Name == "ci").Select(t => t.LastUsedAt).ToListAsync());

    // A trigger in the store counts every row write of LastUsedAt, whoever makes it.
    private static async Task InstallWriteCounterAsync(TokensApplication app)
    {
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE LastUsedWrites (TokenId TEXT NOT NULL);
            CREATE TRIGGER CountLastUsedWrites AFTER UPDATE OF "LastUsedAt" ON "PersonalAccessTokens"
            BEGIN INSERT INTO LastUsedWrites VALUES (NEW."Id"); END;
            """;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> LastUsedWritesAsync(TokensApplication app)
    {
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM LastUsedWrites";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
