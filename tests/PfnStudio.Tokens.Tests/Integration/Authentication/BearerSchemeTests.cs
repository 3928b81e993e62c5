using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Authentication;

/// <summary>The answers of DESIGN.md's bearer table, for every form of Authorization header we could think of.</summary>
public sealed class BearerSchemeTests
{
    private const string Realm = "Bearer realm=\"pfnstudio\"";
    private const string Valid = "{valid}";

    public static TheoryData<string, string[], HttpStatusCode, string?> Cases => new()
    {
        // header values ({valid} is replaced by a live token), expected status, expected error
        { "no header", [], HttpStatusCode.Unauthorized, null },
        { "another scheme", ["Basic dXNlcjpwYXNz"], HttpStatusCode.Unauthorized, null },
        { "a scheme that only starts with Bearer", ["BearerX {valid}"], HttpStatusCode.Unauthorized, null },
        { "valid", ["Bearer {valid}"], HttpStatusCode.OK, null },
        { "lower-case scheme", ["bearer {valid}"], HttpStatusCode.OK, null },
        { "upper-case scheme", ["BEARER {valid}"], HttpStatusCode.OK, null },
        { "several spaces", ["Bearer    {valid}"], HttpStatusCode.OK, null },
        { "Bearer alone", ["Bearer"], HttpStatusCode.BadRequest, "invalid_request" },
        { "Bearer and spaces", ["Bearer    "], HttpStatusCode.BadRequest, "invalid_request" },
        { "two headers", ["Bearer {valid}", "Bearer {valid}"], HttpStatusCode.BadRequest, "invalid_request" },
        { "wrong marker", ["Bearer ghp_abcdefghijklmnopqrstuvwxyz0123456789ABCD"], HttpStatusCode.Unauthorized, "invalid_token" },
        { "too short", ["Bearer pfnstudio_pat_abc"], HttpStatusCode.Unauthorized, "invalid_token" },
        { "too long", ["Bearer {valid}A"], HttpStatusCode.Unauthorized, "invalid_token" },
        { "a character outside base62", ["Bearer pfnstudio_pat_AAAAAAAAAAAA-AAAAAAAAAAAAAAAAAAA"], HttpStatusCode.Unauthorized, "invalid_token" },
        { "two tokens", ["Bearer {valid} {valid}"], HttpStatusCode.Unauthorized, "invalid_token" },
        { "a comma-joined pair", ["Bearer {valid}, Bearer {valid}"], HttpStatusCode.Unauthorized, "invalid_token" },
        { "huge", ["Bearer pfnstudio_pat_" + new string('A', 60_000)], HttpStatusCode.Unauthorized, "invalid_token" },
        { "unknown but well-formed (legacy shape)", ["Bearer pfnstudio_pat_000000000000AAAAAAAAAAAAAAAAAAAA"], HttpStatusCode.Unauthorized, "invalid_token" },
        { "unknown but well-formed", ["Bearer " + PersonalAccessTokenFormat.WithChecksum("pfnstudio_pat_000000000000AAAAAAAAAAAAAAAAAAAA")], HttpStatusCode.Unauthorized, "invalid_token" },
        { "a checksum that does not match", ["Bearer {valid-wrong-checksum}"], HttpStatusCode.Unauthorized, "invalid_token" },
        { "the right checksum, one character changed", ["Bearer {valid-one-changed}"], HttpStatusCode.Unauthorized, "invalid_token" },
        { "quoted", ["Bearer \"{valid}\""], HttpStatusCode.Unauthorized, "invalid_token" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryAuthorizationHeaderGetsTheAnswerOfTheTable(string label, string[] headers, HttpStatusCode status, string? error)
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("table@example.com");
        var token = await app.IssueTokenAsync(user.Id, "table");
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        foreach (var header in headers)
        {
            var value = header
                .Replace("{valid-wrong-checksum}", token[..^1] + (token[^1] == 'a' ? 'b' : 'a'), StringComparison.Ordinal)
                .Replace("{valid-one-changed}", token[..30] + (token[30] == 'a' ? 'b' : 'a') + token[31..], StringComparison.Ordinal)
                .Replace(Valid, token, StringComparison.Ordinal);
            Assert.True(request.Headers.TryAddWithoutValidation("Authorization", value), label);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        var body = await response.Content.ReadAsStringAsync();
        if (status == HttpStatusCode.OK)
        {
            Assert.Empty(challenge);
            return;
        }

        Assert.StartsWith(Realm, challenge);
        if (error is null)
        {
            Assert.Equal(Realm, challenge);
        }
        else
        {
            Assert.Contains($"error=\"{error}\"", challenge);
            Assert.Contains("error_description=\"", challenge);
        }

        // The answer never echoes the token, and is a problem body.
        Assert.DoesNotContain(token[14..], challenge + body, StringComparison.Ordinal);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("/api/v1/me?access_token={valid}", true)]
    [InlineData("/api/v1/me?access_token={valid}", false)]
    public async Task ATokenInTheQueryStringIsAMalformedRequest(string url, bool alsoInHeader)
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("query@example.com");
        var token = await app.IssueTokenAsync(user.Id, "query");
        using var client = alsoInHeader ? app.CreateClientWithToken(token) : app.CreateClient();

        using var response = await client.GetAsync(url.Replace(Valid, token, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("error=\"invalid_request\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task ATokenAlsoInAFormBodyIsAMalformedRequest()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("form@example.com");
        var token = await app.IssueTokenAsync(user.Id, "form");
        using var client = app.CreateClientWithToken(token);

        // RFC 6750 §2.2: the form method is for a POST with a url-encoded body.
        using var response = await client.PostAsync("/api/v1/projects/pfnstudio-demo/models", new FormUrlEncodedContent([new("access_token", token)]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("error=\"invalid_request\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task TheBodyOfAGetIsNeverReadForAToken()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("get-form@example.com");
        var token = await app.IssueTokenAsync(user.Id, "form");
        using var client = app.CreateClientWithToken(token);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me")
        {
            Content = new FormUrlEncodedContent([new("access_token", token)]),
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ATokenWhoseChecksumDoesNotMatchIsRefusedBeforeAnyStoreReadWithTheMalformedTokensAnswer()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("checksum@example.com");
        var token = await app.IssueTokenAsync(user.Id, "checksum");
        var oneChanged = token[..30] + (token[30] == 'a' ? 'b' : 'a') + token[31..];
        var reads = StoreCommands(app);

        using var refused = await app.GetMeAsync(oneChanged);
        using var malformed = await app.GetMeAsync("pfnstudio_pat_abc");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(malformed.Headers.WwwAuthenticate.ToString(), refused.Headers.WwwAuthenticate.ToString());
        Assert.Contains("not a well-formed", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(reads, StoreCommands(app));

        // The same characters in the legacy shape are well-formed, so that one is looked up (the reads counted here).
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token[..46]));
        Assert.True(StoreCommands(app) > reads);
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));

        // EF's commands and the hot path's own prepared reads.
        static long StoreCommands(TokensApplication app) => app.Logs.Events.Count(e =>
                e.Properties.TryGetValue("SourceContext", out var source) && source.ToString().Contains("Database.Command", StringComparison.Ordinal))
            + app.Services.GetRequiredService<PfnStudio.Tokens.PersonalAccessTokens.Verification.TokenStateReader>().Statements;
    }

    [Fact]
    public async Task UnknownAndRevokedTokensGetTheSameAnswer()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("same@example.com");
        var revoked = await app.IssueTokenAsync(user.Id, "revoked");
        await app.WithDbAsync(db => db.PersonalAccessTokens.ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, app.Clock.GetUtcNow())));
        var unknown = "pfnstudio_pat_" + new string('z', 32);

        using var revokedResponse = await app.CreateClientWithToken(revoked).GetAsync("/api/v1/me");
        using var unknownResponse = await app.CreateClientWithToken(unknown).GetAsync("/api/v1/me");
        using var wrongSecret = await app.CreateClientWithToken(revoked[..26] + new string('q', 20)).GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Unauthorized, revokedResponse.StatusCode);
        Assert.Equal(unknownResponse.Headers.WwwAuthenticate.ToString(), revokedResponse.Headers.WwwAuthenticate.ToString());
        Assert.Equal(unknownResponse.Headers.WwwAuthenticate.ToString(), wrongSecret.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task AValidTokenWithoutTheRoutesScopeGets403InsufficientScope()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("scope@example.com");
        var token = await app.IssueTokenAsync(user.Id, "no scopes");
        await app.WithDbAsync(async db =>
        {
            var row = await db.PersonalAccessTokens.SingleAsync();
            row.Scopes = ["read:nothing"];
            return await db.SaveChangesAsync();
        });

        using var response = await app.CreateClientWithToken(token).GetAsync("/api/v1/projects");

        // A scope this version does not know grants nothing.
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            Realm + ", error=\"insufficient_scope\", error_description=\"This route needs the read permission; this token has none.\", scope=\"read\"",
            response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task WithTheStoreGoneTheApiAnswers503AndNeverAcceptsTheToken()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("down@example.com");
        var token = await app.IssueTokenAsync(user.Id, "down");
        using var client = app.CreateClientWithToken(token);
        using var warm = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);

        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(TokensApplication.IsPostgres ? "DROP TABLE \"PersonalAccessTokens\" CASCADE" : "DROP TABLE \"PersonalAccessTokens\""));
        using var response = await client.GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
