using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.PersonalAccessTokens.LeakReports;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.PersonalAccessTokens;

/// <summary>
/// <c>POST /api/v1/tokens/leaked</c> (docs/secret-scanning.md): a reported active token is revoked and its owner told;
/// nothing else changes; the answer cannot tell a real token from a fake; limits and the per-address rate limit.
/// </summary>
public sealed class LeakedTokenReportTests
{
    private const string Route = "/api/v1/tokens/leaked";
    private const string FoundAt = "https://gist.example.com/someone/0123abcd/raw/.env#L3";

    [Fact]
    public async Task AReportedActiveTokenStopsWorkingAtOnceAndItsOwnerSeesARedNoticeAndTheUrlInRecentActivity()
    {
        await using var app = new TokensApplication { Settings = { ["LeakedTokenReports:NoticeDays"] = "7" } };
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("leaky@example.com");
        var token = (await browser.IssueOnPageAsync("laptop", "30")).RevealedToken()!;
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        app.Clock.Advance(TimeSpan.FromMinutes(3));

        using var scanner = app.CreateClient();
        using var answer = await ReportAsync(scanner, new { tokens = new[] { "not a token", token, token }, url = FoundAt });
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        await HandledAsync(app);

        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token));
        var rows = await app.WithDbAsync(db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([AuditEventKind.Issued, AuditEventKind.LeakReported, AuditEventKind.Revoked], rows.Select(e => e.Kind));
        Assert.Equal(FoundAt, rows[1].Detail);
        Assert.Equal(RevocationDetails.ReportedLeaked, rows[2].Detail);
        var stored = await app.WithDbAsync(db => db.PersonalAccessTokens.AsNoTracking().SingleAsync());
        Assert.Equal(app.Clock.GetUtcNow(), stored.RevokedAt);

        var page = await browser.GetAsync("/api-tokens");
        var notice = page.Document.QuerySelector("section.leak-notice");
        Assert.NotNull(notice);
        Assert.Equal("alert", notice.GetAttribute("role"));
        Assert.Equal(FoundAt, page.Text("section.leak-notice code.leak-url"));
        var text = notice.TextContent;
        Assert.Contains("laptop", text, StringComparison.Ordinal);
        Assert.Contains($"{token[..26]}…", text, StringComparison.Ordinal);
        Assert.Contains("2026-11-29 12:03:00", text, StringComparison.Ordinal);
        Assert.Empty(page.Document.QuerySelectorAll("section.leak-notice a")); // the reporter's URL is never a link
        Assert.Contains($"Reported leaked — {FoundAt}", page.Texts("details.activity td.what"));

        // The notice stays for the configured period (here 7 days), then only Recent activity has it.
        Assert.Contains("This notice stays for 7 days.", text, StringComparison.Ordinal);
        app.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        var later = await browser.GetAsync("/api-tokens");
        Assert.Equal(HttpStatusCode.OK, later.Status);
        Assert.Null(later.Document.QuerySelector("section.leak-notice"));
        Assert.Contains($"Reported leaked — {FoundAt}", later.Texts("details.activity td.what"));
    }

    [Fact]
    public async Task ALegacyTokenWithoutChecksumStillWorksAndIsRevokedWhenReported()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("legacy-leak@example.com");
        var legacy = await app.IssueLegacyTokenAsync(user.Id, "old-ci");
        Assert.Equal(PersonalAccessTokenFormat.LegacyTokenLength, legacy.Length);
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(legacy));

        using var answer = await ReportAsync(app.CreateClient(), new { tokens = new[] { legacy }, url = FoundAt });
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        await HandledAsync(app);

        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(legacy));
        Assert.NotNull(await app.WithDbAsync(db => db.PersonalAccessTokens.Select(t => t.RevokedAt).SingleAsync()));
    }

    [Fact]
    public async Task ADisabledOwnersReportedTokenIsRevokedSoThatEnablingTheAccountDoesNotBringItBack()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("disabled-leak@example.com");
        var token = await app.IssueTokenAsync(user.Id, "ci");
        await app.WithServiceAsync<PfnStudio.Tokens.Accounts.AccountAdministration, object>(async a => await a.DisableAsync(user.Email));

        using var answer = await ReportAsync(app.CreateClient(), new { tokens = new[] { token }, url = FoundAt });
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        await HandledAsync(app);
        await app.WithServiceAsync<PfnStudio.Tokens.Accounts.AccountAdministration, object>(async a => await a.EnableAsync(user.Email));

        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token));
        Assert.NotNull(await app.WithDbAsync(db => db.PersonalAccessTokens.Select(t => t.RevokedAt).SingleAsync()));
    }

    [Fact]
    public async Task FakesRevokedAndExpiredTokensPrefixesAloneAndNearMissesChangeNothing()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("near-miss@example.com");
        var live = await app.IssueTokenAsync(user.Id, "live");
        var legacyLive = await app.IssueLegacyTokenAsync(user.Id, "legacy-live");
        var revoked = await app.IssueTokenAsync(user.Id, "revoked");
        var expired = await app.IssueTokenAsync(user.Id, "expired", expiresInDays: 1);
        await app.WithServiceAsync<PersonalAccessTokenService, string?>(async tokens =>
        {
            var id = await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Name == "revoked").Select(t => t.Id).SingleAsync());
            return await tokens.RevokeAsync(user.Id, id);
        });
        app.Clock.Advance(TimeSpan.FromDays(1));
        var before = await SnapshotAsync(app);
        using var argon2 = Argon2Count.Start(app);

        var strings = new[]
        {
            live[14..26], // the prefix alone, as project members see it
            live[..26], // marker and prefix
            PersonalAccessTokenFormat.Display(live[14..26]),
            live.WithWrongSecret(1), // the prefix with another secret and a matching checksum
            live[..^1] + (live[^1] == 'a' ? 'b' : 'a'), // a checksum that does not match
            live[..30] + (live[30] == 'a' ? 'b' : 'a') + live[31..], // one secret character changed
            live[..46], // the same characters in the legacy shape: another token
            legacyLive.WithWrongSecret(2),
            legacyLive + "A",
            live.ToUpperInvariant(),
            " " + live,
            revoked,
            expired,
            PersonalAccessTokenFormat.Generate(),
            "pfnstudio_pat_",
            "",
        };
        using var answer = await ReportAsync(app.CreateClient(), new { tokens = strings, url = FoundAt });
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        await HandledAsync(app);

        Assert.Equal(before, await SnapshotAsync(app));
        Assert.Equal(0, argon2.Verifications);
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(live));
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(legacyLive));
    }

    [Fact]
    public async Task TheAnswersToARealAndAFakeReportAreByteIdentical()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("same-answer@example.com");
        var real = await app.IssueTokenAsync(user.Id, "real");
        var fake = PersonalAccessTokenFormat.Generate();

        var realAnswer = await AnswerAsync(app, real);
        var fakeAnswer = await AnswerAsync(app, fake);
        await HandledAsync(app);

        Assert.Equal(fakeAnswer, realAnswer);
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(real));
        Assert.Contains("\"received\":1", realAnswer, StringComparison.Ordinal);
        Assert.DoesNotContain(real[14..], realAnswer, StringComparison.Ordinal);

        static async Task<string> AnswerAsync(TokensApplication app, string token)
        {
            using var response = await ReportAsync(app.CreateClient(), new { tokens = new[] { token }, url = FoundAt });
            var headers = response.Headers.Concat(response.Content.Headers)
                .Where(h => h.Key != "Date")
                .OrderBy(h => h.Key, StringComparer.Ordinal)
                .Select(h => $"{h.Key}: {string.Join(", ", h.Value)}");
            var body = await response.Content.ReadAsByteArrayAsync();
            return $"{(int)response.StatusCode}\n{string.Join("\n", headers)}\n\n{Convert.ToBase64String(body)}\n{Encoding.UTF8.GetString(body)}";
        }
    }

    // Label → body (built in the test, so the theory's data stays small), and the answer.
    private static readonly Dictionary<string, (Func<string, string> Body, HttpStatusCode Status)> Bad = new()
    {
        ["not JSON"] = (t => $"tokens={t}", HttpStatusCode.BadRequest),
        ["an array, not an object"] = (t => $"[\"{t}\"]", HttpStatusCode.BadRequest),
        ["no url"] = (t => $"{{\"tokens\": [\"{t}\"]}}", HttpStatusCode.BadRequest),
        ["an empty url"] = (t => Report(t, "\"\""), HttpStatusCode.BadRequest),
        ["a relative url"] = (t => Report(t, "\"/gist/1\""), HttpStatusCode.BadRequest),
        ["an ftp url"] = (t => Report(t, "\"ftp://example.com/x\""), HttpStatusCode.BadRequest),
        ["a javascript url"] = (t => Report(t, "\"javascript:alert(1)\""), HttpStatusCode.BadRequest),
        ["a url with a password"] = (t => Report(t, "\"https://u:p@example.com/x\""), HttpStatusCode.BadRequest),
        ["a url with a space"] = (t => Report(t, "\"https://example.com/a b\""), HttpStatusCode.BadRequest),
        ["a url of 201 characters"] = (t => Report(t, "\"https://example.com/" + new string('a', 181) + "\""), HttpStatusCode.BadRequest),
        ["a number for url"] = (t => Report(t, "5"), HttpStatusCode.BadRequest),
        ["tokens as a string"] = (t => $"{{\"tokens\": \"{t}\", \"url\": \"https://example.com/\"}}", HttpStatusCode.BadRequest),
        ["a number among the tokens"] = (t => $"{{\"tokens\": [\"{t}\", 5], \"url\": \"https://example.com/\"}}", HttpStatusCode.BadRequest),
        ["no tokens"] = (_ => "{\"tokens\": [], \"url\": \"https://example.com/\"}", HttpStatusCode.BadRequest),
        ["an unknown field"] = (t => Report(t, "\"https://example.com/\", \"type\": \"x\""), HttpStatusCode.BadRequest),
        ["url twice"] = (t => Report(t, "\"https://example.com/\", \"url\": \"https://example.org/\""), HttpStatusCode.BadRequest),
        ["two objects"] = (t => Report(t, "\"https://example.com/\"") + " {}", HttpStatusCode.BadRequest),
        ["1,001 strings"] = (t => Many(t, ", \"x\"", 1000), HttpStatusCode.BadRequest),
        ["100,000 strings"] = (t => Many(t, ",\"\"", 99_999), HttpStatusCode.BadRequest),
        ["100,000 token-shaped strings (over 1 MiB)"] = (t => Many(t, ",\"pfnstudio_pat_" + new string('A', 38) + "\"", 99_999), HttpStatusCode.RequestEntityTooLarge),
        ["10 MB"] = (t => Report(t, "\"https://example.com/\", \"pad\": \"" + new string(' ', 10_000_000) + "\""), HttpStatusCode.RequestEntityTooLarge),
    };

    public static TheoryData<string> BadReports => new(Bad.Keys);

    [Theory]
    [MemberData(nameof(BadReports))]
    public async Task ABadReportGetsAProblemQuicklyAndChangesNothing(string label)
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("bad-report@example.com");
        var token = await app.IssueTokenAsync(user.Id, "kept");
        var before = await SnapshotAsync(app);
        using var client = app.CreateClient();
        var (build, status) = Bad[label];

        var clock = Stopwatch.StartNew();
        using var content = new StringContent(build(token), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(Route, content);
        clock.Stop();
        await HandledAsync(app);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(token[14..], body, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{label}: {clock.Elapsed}");
        Assert.Equal(before, await SnapshotAsync(app));
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
    }

    private static string Report(string token, string urlAndMore) => $"{{\"tokens\": [\"{token}\"], \"url\": {urlAndMore}}}";

    private static string Many(string token, string more, int count) =>
        $"{{\"tokens\": [\"{token}\"{string.Concat(Enumerable.Repeat(more, count))}], \"url\": \"https://example.com/\"}}";

    [Fact]
    public async Task ReportsBeyondTheAddressLimitGet429WithRetryAfterAndAnIpv6Slash64CountsAsOneAddress()
    {
        await using var app = new TokensApplication
        {
            Settings = { ["LeakedTokenReports:ReportsPerWindow"] = "2", ["LeakedTokenReports:WindowSeconds"] = "600" },
        };
        var user = await app.CreateUserAsync("rate@example.com");
        var token = await app.IssueTokenAsync(user.Id, "kept");
        var fake = new { tokens = new[] { PersonalAccessTokenFormat.Generate() }, url = FoundAt };

        Assert.Equal(HttpStatusCode.Accepted, await StatusAsync(app, "2001:db8:1:2::5", fake));
        Assert.Equal(HttpStatusCode.Accepted, await StatusAsync(app, "2001:db8:1:2:ffff::6", fake));
        using (var refused = await ReportFromAsync(app, "2001:db8:1:2::7", new { tokens = new[] { token }, url = FoundAt }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 600);
            Assert.Contains("Too many leaked-token reports", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Another /64 and an IPv4 address have their own windows.
        Assert.Equal(HttpStatusCode.Accepted, await StatusAsync(app, "2001:db8:1:3::5", fake));
        Assert.Equal(HttpStatusCode.Accepted, await StatusAsync(app, "203.0.113.9", fake));
        await HandledAsync(app);

        // The refused report was never read: its real token still works.
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));

        static async Task<HttpStatusCode> StatusAsync(TokensApplication app, string address, object body)
        {
            using var response = await ReportFromAsync(app, address, body);
            return response.StatusCode;
        }
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheRouteAsAnonymousWithItsBody()
    {
        await using var app = new TokensApplication();
        using var document = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"));

        var post = document.RootElement.GetProperty("paths").GetProperty(Route).GetProperty("post");
        var security = Assert.Single(post.GetProperty("security").EnumerateArray());
        Assert.Empty(security.EnumerateObject()); // {}: no authentication
        var schema = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Equal(1000, schema.GetProperty("properties").GetProperty("tokens").GetProperty("maxItems").GetInt32());
        Assert.Equal(200, schema.GetProperty("properties").GetProperty("url").GetProperty("maxLength").GetInt32());
        Assert.True(post.GetProperty("responses").TryGetProperty("202", out _));
        Assert.True(post.GetProperty("responses").TryGetProperty("429", out _));
    }

    private static Task<HttpResponseMessage> ReportAsync(HttpClient client, object body) => client.PostAsJsonAsync(Route, body);

    private static async Task<HttpResponseMessage> ReportFromAsync(TokensApplication app, string address, object body)
    {
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add(TestClientAddress.Header, address);
        return await client.PostAsJsonAsync(Route, body);
    }

    private static Task HandledAsync(TokensApplication app) =>
        app.Services.GetRequiredService<LeakedTokenResponder>().WhenQueuedReportsHandledAsync().WaitAsync(TimeSpan.FromSeconds(30));

    // Every token row's revocation and every audit row: what a report could change.
    private static Task<string> SnapshotAsync(TokensApplication app) => app.WithDbAsync(async db =>
    {
        var tokens = await db.PersonalAccessTokens.AsNoTracking().OrderBy(t => t.Prefix).Select(t => new { t.Prefix, t.RevokedAt }).ToListAsync();
        var events = await db.AuditEvents.AsNoTracking().OrderBy(e => e.Id).Select(e => new { e.Id, e.Kind, e.TokenPrefix, e.Detail }).ToListAsync();
        return string.Join("\n", tokens.Select(t => $"{t.Prefix} {t.RevokedAt:o}")) + "\n--\n" + string.Join("\n", events.Select(e => $"{e.Id} {e.Kind} {e.TokenPrefix} {e.Detail}"));
    });
}
