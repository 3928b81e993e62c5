using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Tests.Infrastructure;
using static PfnStudio.Tokens.Tests.Infrastructure.ProjectApiHelpers;

namespace PfnStudio.Tokens.Tests.Integration.PersonalAccessTokens;

/// <summary>
/// The token API (issue 15): <c>GET /api/v1/tokens</c> lists the caller's own tokens without secrets,
/// <c>DELETE /api/v1/tokens/{id}</c> revokes one of them (another user's id is a 404 that changes nothing), and
/// <c>POST /api/v1/tokens/self/rotate</c> swaps the presented token for a successor atomically, with
/// <c>Idempotency-Key</c> retries answered with the same successor.
/// </summary>
public sealed class TokenApiTests
{
    [Fact]
    public async Task ListShowsOnlyTheCallersTokensWithTheirStateAndNeverASecret()
    {
        await using var app = new TokensApplication();
        var alice = await app.CreateUserAsync("list@example.com");
        var caller = await app.IssueTokenAsync(alice.Id, "caller");
        var shortLived = await app.IssueTokenAsync(alice.Id, "short", expiresInDays: 1);
        var revoked = await app.IssueTokenAsync(alice.Id, "gone");
        var bob = await app.CreateUserAsync("other@example.com");
        await app.IssueTokenAsync(bob.Id, "bobs");
        using (var gone = app.CreateClientWithToken(revoked))
        {
            var revokedId = await IdOfAsync(app, "gone");
            Assert.Equal(HttpStatusCode.OK, (await gone.DeleteAsync($"/api/v1/tokens/{revokedId}")).StatusCode);
        }

        app.Clock.Advance(TimeSpan.FromDays(1));
        using var api = app.CreateClientWithToken(caller);
        using var response = await api.GetAsync("/api/v1/tokens");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var items = (await response.JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(
            ["caller:active", "gone:revoked", "short:expired"],
            items.Select(i => $"{i.GetProperty("name").GetString()}:{i.GetProperty("state").GetString()}").Order().ToArray());
        Assert.DoesNotContain("bobs", text);
        foreach (var secret in new[] { caller, shortLived, revoked })
        {
            Assert.DoesNotContain(secret[14..], text);
        }

        Assert.DoesNotContain("argon2", text, StringComparison.OrdinalIgnoreCase);
        var first = items.Single(i => i.GetProperty("name").GetString() == "caller");
        Assert.Equal(caller[14..26], first.GetProperty("prefix").GetString());
        Assert.Equal($"{caller[..26]}…", first.GetProperty("displayPrefix").GetString());
        Assert.Equal("full", first.GetProperty("access").GetString());
        Assert.Equal(["pat"], first.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToArray());

        foreach (var (state, name) in new[] { ("active", "caller"), ("expired", "short"), ("revoked", "gone") })
        {
            var filtered = await (await api.GetAsync($"/api/v1/tokens?state={state}")).JsonAsync();
            Assert.Equal([name], filtered.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToArray());
        }
    }

    [Theory]
    [InlineData("?state=bogus")]
    [InlineData("?state=ACTIVE")]
    [InlineData("?state=active&state=revoked")]
    public async Task ABadStateFilterIsA400ProblemNamingState(string query)
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("filter@example.com");
        using var api = app.CreateClientWithToken(await app.IssueTokenAsync(user.Id, "caller"));
        using var response = await api.GetAsync("/api/v1/tokens" + query);
        Assert.Contains("active, expired or revoked", await response.AssertInvalidAsync("state"));
    }

    [Fact]
    public async Task RevokingAnotherUsersOrAnUnknownIdIs404AndChangesNothing()
    {
        await using var app = new TokensApplication();
        var alice = await app.CreateUserAsync("alice@example.com");
        var bob = await app.CreateUserAsync("bob@example.com");
        using var api = app.CreateClientWithToken(await app.IssueTokenAsync(alice.Id, "alice"));
        var bobs = await app.IssueTokenAsync(bob.Id, "bob");
        var bobsId = await IdOfAsync(app, "bob");

        foreach (var id in new[] { bobsId, Guid.NewGuid() })
        {
            using var response = await api.DeleteAsync($"/api/v1/tokens/{id}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Token not found", (await response.JsonAsync()).GetProperty("title").GetString());
        }

        Assert.Equal(HttpStatusCode.OK, (await app.CreateClientWithToken(bobs).GetAsync("/api/v1/me")).StatusCode);
        Assert.Null(await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Id == bobsId).Select(t => t.RevokedAt).SingleAsync()));
        await (await api.DeleteAsync("/api/v1/tokens/not-a-uuid")).AssertInvalidAsync("id");
    }

    [Fact]
    public async Task AFullAccessTokenRevokesAnotherOwnTokenAndAnAlreadyRevokedOneAnswersItsUnchangedRow()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("revoke@example.com");
        using var api = app.CreateClientWithToken(await app.IssueTokenAsync(user.Id, "admin"));
        var laptop = await app.IssueTokenAsync(user.Id, "laptop");
        var id = await IdOfAsync(app, "laptop");

        using var revoked = await api.DeleteAsync($"/api/v1/tokens/{id}");
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        var body = await revoked.JsonAsync();
        Assert.Equal("revoked", body.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClientWithToken(laptop).GetAsync("/api/v1/me")).StatusCode);
        var audit = await app.WithDbAsync(db => db.AuditEvents.Where(e => e.TokenId == id && e.Kind == PfnStudio.Tokens.Data.AuditEventKind.Revoked).Select(e => e.Detail).SingleAsync());
        Assert.StartsWith("revoked through the API with pfnstudio_pat_", audit);

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        using var again = await api.DeleteAsync($"/api/v1/tokens/{id}");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(body.GetProperty("revokedAt").GetString(), (await again.JsonAsync()).GetProperty("revokedAt").GetString());
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.TokenId == id && e.Kind == PfnStudio.Tokens.Data.AuditEventKind.Revoked)));
    }

    [Fact]
    public async Task AFineGrainedTokenRevokesItselfButNotItsOwnersOtherTokens()
    {
        await using var app = new TokensApplication();
        var (user, _) = await app.CreateMemberWithTokenAsync("fine@example.com");
        var ci = await app.IssueFineGrainedTokenAsync(user.Id, "ci", "pfnstudio", ["read"]);
        var otherId = await IdOfAsync(app, "automation");
        using var api = app.CreateClientWithToken(ci);

        using var refused = await api.DeleteAsync($"/api/v1/tokens/{otherId}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", refused.Headers.WwwAuthenticate.ToString());
        Assert.Contains("scope=\"pat\"", refused.Headers.WwwAuthenticate.ToString());
        Assert.Null(await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Id == otherId).Select(t => t.RevokedAt).SingleAsync()));

        using var self = await api.DeleteAsync($"/api/v1/tokens/{await IdOfAsync(app, "ci")}");
        Assert.Equal(HttpStatusCode.OK, self.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task RotateRevokesThePresentedTokenAndReturnsASuccessorWithTheSameNameScopesAndLifetime()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("rotate@example.com");
        var old = await app.IssueTokenAsync(user.Id, "ci-nightly", expiresInDays: 30);
        app.Clock.Advance(TimeSpan.FromDays(10));
        using var api = app.CreateClientWithToken(old);

        using var response = await api.PostAsync("/api/v1/tokens/self/rotate", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var body = await response.JsonAsync();
        var successor = body.GetProperty("token").GetString()!;
        Assert.StartsWith("pfnstudio_pat_", successor);
        Assert.NotEqual(old, successor);
        var item = body.GetProperty("item");
        Assert.Equal("ci-nightly", item.GetProperty("name").GetString());
        Assert.Equal("active", item.GetProperty("state").GetString());
        Assert.Equal(["pat"], item.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToArray());
        Assert.Equal(app.Clock.GetUtcNow().AddDays(30), item.GetProperty("expiresAt").GetDateTimeOffset());

        using var oldAgain = await api.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, oldAgain.StatusCode);
        Assert.Contains("error=\"invalid_token\"", oldAgain.Headers.WwwAuthenticate.ToString());
        using var me = await app.CreateClientWithToken(successor).GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal("ci-nightly", (await me.JsonAsync()).GetProperty("token").GetProperty("name").GetString());

        var rows = await app.WithDbAsync(db => db.PersonalAccessTokens.AsNoTracking().OrderBy(t => t.CreatedAt).ToListAsync());
        Assert.Equal(2, rows.Count);
        Assert.NotNull(rows[0].RevokedAt);
        Assert.Equal(rows[0].Id, rows[1].RotatedFromId);
        Assert.Null(rows[1].RotationReplaySecret);
        var kinds = await app.WithDbAsync(db => db.AuditEvents.OrderBy(e => e.Id).Select(e => e.Kind.ToString() + ":" + e.Detail).ToListAsync());
        Assert.Contains(kinds, k => k.StartsWith("Revoked:revoked by its own rotation through the API, replaced by pfnstudio_pat_", StringComparison.Ordinal));
        Assert.Contains(kinds, k => k.StartsWith("Rotated:rotated through the API, replacing pfnstudio_pat_", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Rendered(), line => line.Contains(successor[14..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFineGrainedTokenRotatesIntoTheSameFineGrainedAccess()
    {
        await using var app = new TokensApplication();
        var (user, _) = await app.CreateMemberWithTokenAsync("fine-rotate@example.com");
        var ci = await app.IssueFineGrainedTokenAsync(user.Id, "ci", "pfnstudio", ["read", "predict"], ["pfnstudio-demo"]);
        using var response = await app.CreateClientWithToken(ci).PostAsJsonAsync("/api/v1/tokens/self/rotate", new { expires_in_days = 5 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var successor = (await response.JsonAsync()).GetProperty("token").GetString()!;

        var token = (await (await app.CreateClientWithToken(successor).GetAsync("/api/v1/me")).JsonAsync()).GetProperty("token");
        Assert.Equal("fine-grained", token.GetProperty("access").GetString());
        Assert.Equal(["read", "predict"], token.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToArray());
        Assert.Equal("pfnstudio", token.GetProperty("organization").GetString());
        Assert.Equal(["pfnstudio-demo"], token.GetProperty("projects").EnumerateArray().Select(s => s.GetString()!).ToArray());
        Assert.Equal(app.Clock.GetUtcNow().AddDays(5), token.GetProperty("expiresAt").GetDateTimeOffset());
        using var push = await app.CreateClientWithToken(successor).PushModelAsync("pfnstudio-demo", "name: m\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 1\nnoise: 0.1\n");
        Assert.Equal(HttpStatusCode.Forbidden, push.StatusCode);
    }

    [Theory]
    [InlineData(30, """{"expires_in_days": 31}""", "from 1 to 30")]
    [InlineData(30, """{"expires_in_days": 0}""", "from 1 to 30")]
    [InlineData(null, """{"expires_in_days": 3651}""", "from 1 to 3650")]
    [InlineData(null, """{"expires_in_days": "7"}""", "whole number of days or null")]
    [InlineData(null, """{"expires_in_days": 1.5}""", "whole number of days or null")]
    [InlineData(null, """{"expires": 7}""", "Unknown member")]
    [InlineData(null, """[7]""", "The body must be")]
    [InlineData(null, """{"expires_in_days": """, "not valid JSON")]
    public async Task ABadExpiryIsA400ProblemAndTheTokenStaysValid(int? lifetime, string json, string message)
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("bad-expiry@example.com");
        var old = await app.IssueTokenAsync(user.Id, "ci", lifetime);
        using var api = app.CreateClientWithToken(old);
        using var response = await api.PostAsync("/api/v1/tokens/self/rotate", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(message, (await response.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
    }

    [Fact]
    public async Task ANeverExpiringTokenRotatesIntoANeverExpiringOneUnlessAnExpiryIsAsked()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("never@example.com");
        var first = await app.IssueTokenAsync(user.Id, "forever");
        var second = (await (await app.CreateClientWithToken(first).PostAsync("/api/v1/tokens/self/rotate", null)).JsonAsync());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("item").GetProperty("expiresAt").ValueKind);
        var third = await (await app.CreateClientWithToken(second.GetProperty("token").GetString()!)
            .PostAsJsonAsync("/api/v1/tokens/self/rotate", new { expires_in_days = 3650 })).JsonAsync();
        Assert.Equal(app.Clock.GetUtcNow().AddDays(3650), third.GetProperty("item").GetProperty("expiresAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task RotatingARevokedOrExpiredTokenIsTheBearerSchemes401()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ended@example.com");
        var expiring = await app.IssueTokenAsync(user.Id, "expiring", expiresInDays: 1);
        var revoked = await app.IssueTokenAsync(user.Id, "revoked");
        var revokedId = await IdOfAsync(app, "revoked");
        await app.WithServiceAsync<PfnStudio.Tokens.PersonalAccessTokens.PersonalAccessTokenService, string?>(tokens => tokens.RevokeAsync(user.Id, revokedId));
        app.Clock.Advance(TimeSpan.FromDays(1));

        foreach (var (token, description) in new[] { (expiring, "The token expired at"), (revoked, "The token is unknown or has been revoked.") })
        {
            using var api = app.CreateClientWithToken(token);
            api.DefaultRequestHeaders.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var response = await api.PostAsync("/api/v1/tokens/self/rotate", null);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
            Assert.Contains(description, (await response.JsonAsync()).GetProperty("detail").GetString());
        }

        Assert.Equal(2, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
        using var none = await app.CreateClient().PostAsync("/api/v1/tokens/self/rotate", null);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer realm=\"pfnstudio\"", none.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task TwoConcurrentRotatesWithoutAKeyMintExactlyOneSuccessorAndTheOtherIsRefusedClearly(int round)
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync($"race{round}@example.com");
        var old = await app.IssueTokenAsync(user.Id, "race");
        using var warm = app.CreateClientWithToken(old);
        Assert.Equal(HttpStatusCode.OK, (await warm.GetAsync("/api/v1/me")).StatusCode);

        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            using var api = app.CreateClientWithToken(old);
            var response = await api.PostAsync("/api/v1/tokens/self/rotate", null);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(), response.Headers.WwwAuthenticate.ToString());
        }));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        var loser = Assert.Single(responses, r => r.StatusCode != HttpStatusCode.OK);
        Assert.True(loser.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.Unauthorized, loser.ToString());
        Assert.True(loser.Body.Contains("rotated", StringComparison.Ordinal) || loser.Body.Contains("revoked", StringComparison.Ordinal), loser.Body);
        Assert.Equal(2, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync(t => t.RevokedAt == null)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task TwoConcurrentRotatesWithTheSameKeyBothGetTheSameSuccessor(int round)
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync($"same-key{round}@example.com");
        var old = await app.IssueTokenAsync(user.Id, "keyed", expiresInDays: 30);
        using var warm = app.CreateClientWithToken(old);
        Assert.Equal(HttpStatusCode.OK, (await warm.GetAsync("/api/v1/me")).StatusCode);
        var key = Guid.NewGuid().ToString();

        var tokens = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            using var api = app.CreateClientWithToken(old);
            api.DefaultRequestHeaders.Add("Idempotency-Key", key);
            using var response = await api.PostAsJsonAsync("/api/v1/tokens/self/rotate", new { expires_in_days = 7 });
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return (await response.JsonAsync()).GetProperty("token").GetString()!;
        }));

        Assert.Equal(tokens[0], tokens[1]);
        Assert.Equal(2, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClientWithToken(tokens[0]).GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task ARetryWithTheSameKeyReturnsTheSameTokenForFifteenMinutesAndTheStoreHoldsNeitherTokenNorKey()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("retry@example.com");
        var old = await app.IssueTokenAsync(user.Id, "retry", expiresInDays: 30);
        using var api = app.CreateClientWithToken(old);
        var key = "retry-" + Guid.NewGuid();
        api.DefaultRequestHeaders.Add("Idempotency-Key", key);

        using var first = await api.PostAsync("/api/v1/tokens/self/rotate", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        var successor = (await first.JsonAsync()).GetProperty("token").GetString()!;

        app.Clock.Advance(TimeSpan.FromMinutes(14));
        using var retry = await api.PostAsync("/api/v1/tokens/self/rotate", null);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(successor, (await retry.JsonAsync()).GetProperty("token").GetString());

        var row = await app.WithDbAsync(db => db.PersonalAccessTokens.AsNoTracking().SingleAsync(t => t.RotatedFromId != null));
        Assert.NotNull(row.RotationReplaySecret);
        Assert.DoesNotContain(successor, row.RotationReplaySecret);
        Assert.DoesNotContain(successor[14..], row.RotationReplaySecret);
        Assert.NotEqual(key, row.RotationKeyDigest);
        Assert.Equal(64, row.RotationKeyDigest!.Length);

        // After the window the retry is the revoked token's 401, and the next rotation clears the kept copy.
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        using var late = await api.PostAsync("/api/v1/tokens/self/rotate", null);
        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
        using var next = app.CreateClientWithToken(successor);
        Assert.Equal(HttpStatusCode.OK, (await next.PostAsync("/api/v1/tokens/self/rotate", null)).StatusCode);
        Assert.Null(await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Id == row.Id).Select(t => t.RotationReplaySecret).SingleAsync()));
    }

    [Fact]
    public async Task AKeyReusedWithAnotherBodyOrAnotherTokenIsRefusedWith422()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("reuse@example.com");
        var old = await app.IssueTokenAsync(user.Id, "reuse", expiresInDays: 30);
        var key = Guid.NewGuid().ToString();
        using var api = app.CreateClientWithToken(old);
        api.DefaultRequestHeaders.Add("Idempotency-Key", key);
        var successor = (await (await api.PostAsJsonAsync("/api/v1/tokens/self/rotate", new { expires_in_days = 7 })).JsonAsync()).GetProperty("token").GetString()!;

        using var otherBody = await api.PostAsJsonAsync("/api/v1/tokens/self/rotate", new { expires_in_days = 8 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherBody.StatusCode);
        Assert.Equal("Idempotency-Key reused", (await otherBody.JsonAsync()).GetProperty("title").GetString());

        using var next = app.CreateClientWithToken(successor);
        next.DefaultRequestHeaders.Add("Idempotency-Key", key);
        using var otherToken = await next.PostAsJsonAsync("/api/v1/tokens/self/rotate", new { expires_in_days = 7 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await next.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(2, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("256xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("ключ")]
    public async Task AMalformedIdempotencyKeyIsA400ProblemAndRotatesNothing(string key)
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("bad-key@example.com");
        using var api = app.CreateClientWithToken(await app.IssueTokenAsync(user.Id, "k"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tokens/self/rotate");
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        using var response = await api.SendAsync(request);
        Assert.Contains("Idempotency-Key", await response.AssertInvalidAsync("Idempotency-Key"));
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
    }

    private static Task<Guid> IdOfAsync(TokensApplication app, string name) =>
        app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Name == name).Select(t => t.Id).SingleAsync());
}
