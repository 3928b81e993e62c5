using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Infrastructure;

public sealed class SecretHygieneTests
{
    [Fact]
    public async Task AWholeFlowAtVerboseLeavesNoTokenInLogsHeadersOtherPagesOrTheDatabase()
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
        var afterRevoke = await browser.SubmitAsync(list, "table.tokens form");
        using var revoked = await client.GetAsync("/api/v1/me");

        var secret = token[26..];

        // Only the body of the one response that revealed it; never a header (cookies included) of any response.
        var responses = new[] { issued.Response, ok, wrong, inQuery, list.Response, afterRevoke.Response, revoked };
        foreach (var response in responses)
        {
            var headers = response.Headers.Concat(response.Content.Headers).SelectMany(h => h.Value.Select(v => $"{h.Key}: {v}"));
            Assert.DoesNotContain(headers, h => h.Contains(secret, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(secret, list.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, afterRevoke.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await inQuery.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var logs = app.Logs.Rendered().ToList();
        Assert.NotEmpty(logs);
        var issuedEvents = logs.Where(l => l.Contains("TokenIssued", StringComparison.Ordinal)).ToList();
        Assert.True(issuedEvents.Any(l => l.Contains(token[14..26], StringComparison.Ordinal)), string.Join("\n", issuedEvents));
        Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.Ordinal));

        foreach (var stored in await StoreContents.StoredTextAsync(app))
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("GET /api/v1/me?access_token={token}")]
    [InlineData("/x?t=pfnstudio%5Fpat%5F{body}")]
    [InlineData("/x?t=%70fnstudio_pat_{body}")]
    [InlineData("/x/PFNSTUDIO-PAT-{body}")]
    [InlineData("{token}X and {token}")]
    public void TokenShapedTextIsCutToItsPrefix(string template)
    {
        var token = PfnStudio.Tokens.PersonalAccessTokens.PersonalAccessTokenFormat.Generate();
        var text = template.Replace("{token}", token, StringComparison.Ordinal).Replace("{body}", token[14..], StringComparison.Ordinal);

        var redacted = PfnStudio.Tokens.Infrastructure.TokenRedaction.Redact(text);

        Assert.DoesNotContain(token[26..], redacted, StringComparison.Ordinal);
        Assert.Contains(token[14..26] + "…", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProblemBodyThatQuotesTheRequestNeverCarriesAToken()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("echo@example.com");
        var token = await app.IssueTokenAsync(user.Id, "echo");
        using var client = app.CreateClientWithToken(token);

        using var response = await client.GetAsync($"/api/v1/projects/{token}/runs");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(token[26..], body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryRequestLeavesOneLineWithMethodPathStatusElapsedUserAndTokenPrefix()
    {
        await using var app = new TokensApplication { Settings = { ["Serilog:MinimumLevel:Default"] = "Information" } };
        var user = await app.CreateUserAsync("request-line@example.com");
        var token = await app.IssueTokenAsync(user.Id, "request line");

        using var ok = await app.CreateClientWithToken(token).GetAsync("/api/v1/me?x=1");
        using var refused = await app.CreateClient().GetAsync("/api/v1/me");

        var lines = app.Logs.Events
            .Where(e => e.MessageTemplate.Text.StartsWith("HTTP {RequestMethod} {RequestPath} responded", StringComparison.Ordinal))
            .Select(e => e.RenderMessage())
            .ToList();
        Assert.Contains(lines, l => l.StartsWith("HTTP \"GET\" \"/api/v1/me\" responded 200 in ", StringComparison.Ordinal)
            && l.Contains($"(user \"{user.Id}\", token \"{token[14..26]}\")", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("HTTP \"GET\" \"/api/v1/me\" responded 401 in ", StringComparison.Ordinal)
            && l.Contains("(user \"-\", token \"-\")", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("x=1", StringComparison.Ordinal)); // never the query string
    }
}
