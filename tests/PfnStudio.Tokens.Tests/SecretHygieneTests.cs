using System.Text;
using Microsoft.Data.Sqlite;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests;

public sealed class SecretHygieneTests
{
    [Fact]
    public async Task AWholeFlowAtVerboseLeavesNoTokenInLogsOrTheDatabase()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("hygiene@example.com");

        var issued = await browser.IssueOnPageAsync("hygiene", "30");
        var token = issued.RevealedToken()!;
        using var client = app.CreateClientWithToken(token);
        using var ok = await client.GetAsync("/api/v1/me");
        using var wrong = await app.CreateClientWithToken(token[..^4] + "AAAA").GetAsync("/api/v1/me");
        using var inQuery = await app.CreateClient().GetAsync($"/api/v1/me?access_token={token}");
        var list = await browser.GetAsync("/api-tokens");
        await browser.SubmitAsync(list, "table.tokens form");
        using var revoked = await client.GetAsync("/api/v1/me");

        var secret = token[26..];
        var logs = app.Logs.Rendered().ToList();
        Assert.NotEmpty(logs);
        var issuedEvents = logs.Where(l => l.Contains("TokenIssued", StringComparison.Ordinal)).ToList();
        Assert.True(issuedEvents.Any(l => l.Contains(token[14..26], StringComparison.Ordinal)), string.Join("\n", issuedEvents));
        Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.Ordinal));

        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(app.DatabasePath)!, "tokens.db*"))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.DoesNotContain(secret, Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, Encoding.Unicode.GetString(bytes), StringComparison.Ordinal);
        }
    }
}
