using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Tests.Infrastructure;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;

namespace PfnStudio.Tokens.Tests.Integration.PersonalAccessTokens.Verification;

public sealed class VerificationCacheTests
{
    [Fact]
    public async Task ATokenIsVerifiedWithArgon2OnceThenServedWithoutIt()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "laptop");
        using var argon2 = Argon2Count.Start(app);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        }

        Assert.Equal(1, argon2.Verifications);
    }

    [Fact]
    public async Task ConcurrentFirstUsesOfOneTokenShareOneArgon2Run()
    {
        // Production cost, so the first verification is still running when the others arrive.
        await using var app = new TokensApplication { ProductionArgon2 = true };
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "ci");
        using var argon2 = Argon2Count.Start(app);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => app.StatusOfMeAsync(token)));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(1, argon2.Verifications);
    }

    [Fact]
    public async Task AVerifiedTokenStillExpiresAtItsExactInstant()
    {
        // Remembered for a whole day, so the expiry below is decided with the verification still in memory.
        await using var app = new TokensApplication { Settings = new Dictionary<string, string> { ["HotPath:VerifiedTokenIdleMinutes"] = "1440" } };
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "laptop", expiresInDays: 1);
        using var argon2 = Argon2Count.Start(app);
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));

        app.Clock.Advance(TimeSpan.FromDays(1) - TimeSpan.FromTicks(1));
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));

        app.Clock.Advance(TimeSpan.FromTicks(1));
        using var expired = await app.GetMeAsync(token);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("The token expired at 2026-11-30T12:00:00Z.", expired.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        // A job nobody updated retries its expired token: each answer says so again, and none costs an Argon2 run.
        for (var retry = 0; retry < 3; retry++)
        {
            using var again = await app.GetMeAsync(token);
            Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
            Assert.Contains("The token expired at 2026-11-30T12:00:00Z.", again.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(1, argon2.Verifications);
    }

    [Fact]
    public async Task ATokenFirstUsedAfterItsExpiryCostsOneArgon2RunHoweverOftenItIsRetried()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "forgotten job", expiresInDays: 1);
        app.Clock.Advance(TimeSpan.FromDays(2));
        using var argon2 = Argon2Count.Start(app);

        for (var retry = 0; retry < 4; retry++)
        {
            using var expired = await app.GetMeAsync(token);
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
            Assert.Contains("error=\"invalid_token\", error_description=\"The token expired at ", expired.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(1, argon2.Verifications);
    }

    [Fact]
    public async Task ARevokeWrittenByAnotherConnectionIsRefusedOnTheVeryNextRequest()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "ci");
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));

        // As an operator's command line or a second host would: not through this host's services or caches.
        await app.RevokeFromAnotherConnectionAsync(token, app.Clock.GetUtcNow());

        using var refused = await app.GetMeAsync(token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(
            "Bearer realm=\"pfnstudio\", error=\"invalid_token\", error_description=\"The token is unknown or has been revoked.\"",
            refused.Headers.WwwAuthenticate.ToString());

        // The revoke is final: the verification is forgotten at its first refusal, and so is every retry's.
        Assert.Equal(0, app.Services.GetRequiredService<VerifiedTokenCache>().Count);
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token));
        Assert.Equal(0, app.Services.GetRequiredService<VerifiedTokenCache>().Count);
    }

    [Fact]
    public async Task ARevokeThroughTheTokenServiceForgetsTheVerificationAtOnce()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "ci");
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        var verified = app.Services.GetRequiredService<VerifiedTokenCache>();
        Assert.Equal(1, verified.Count);

        using (var scope = app.Services.CreateScope())
        {
            var tokens = scope.ServiceProvider.GetRequiredService<PersonalAccessTokenService>();
            var id = (await tokens.ListAsync(user.Id)).Active.Single().Id;
            Assert.Equal("ci", await tokens.RevokeAsync(user.Id, id));
        }

        Assert.Equal(0, verified.Count);
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token));
    }

    [Fact]
    public void TheVerifiedTokenMemoryStaysWithinItsCapacity()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var cache = new VerifiedTokenCache(Microsoft.Extensions.Options.Options.Create(new HotPathOptions { VerifiedTokenCapacity = 8 }), clock);
        for (var i = 0; i < 100; i++)
        {
            var token = new AuthenticatedToken(Guid.NewGuid(), "t", "p", ["pat"], clock.GetUtcNow(), null, "u", null);
            cache.MarkVerified(TokenDigest.Of(PersonalAccessTokenFormat.Generate()), token, "hash");
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(cache.Count, 1, 8);
    }

    [Fact]
    public void TheVerifiedTokenMemoryKeepsATokenUntilExactlyTheEndOfItsIdleTimeAndForgetsItOneTickLater()
    {
        var (clock, cache) = Cache(capacity: 8, idleMinutes: 60);
        var digest = Remember(cache, Row());

        clock.Advance(TimeSpan.FromMinutes(60));
        Assert.True(cache.TryGet(digest, out var verified));
        Assert.Equal("hash", verified.StoredHash);

        // That use started a new idle time; one tick past its end the token is forgotten, and stays forgotten.
        clock.Advance(TimeSpan.FromMinutes(60) + TimeSpan.FromTicks(1));
        Assert.False(cache.TryGet(digest, out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void TheVerifiedTokenMemoryRefreshesAUseASecondOrMoreAfterTheLastButNotSooner()
    {
        var (clock, cache) = Cache(capacity: 8, idleMinutes: 1);
        var refreshed = Remember(cache, Row());
        clock.Advance(TimeSpan.FromTicks(1));
        var notRefreshed = Remember(cache, Row());

        // A second after the first was remembered, a tick less than a second after the second.
        clock.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
        Assert.True(cache.TryGet(refreshed, out _));
        Assert.True(cache.TryGet(notRefreshed, out _));

        // Idle since its use a second in: kept; the other's use came a tick too soon to count.
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(cache.TryGet(refreshed, out _));
        Assert.False(cache.TryGet(notRefreshed, out _));
    }

    [Fact]
    public void TheVerifiedTokenMemoryWhenFullDropsIdleTokensFirstThenTheLeastRecentlyPresentedQuarter()
    {
        var (clock, cache) = Cache(capacity: 4, idleMinutes: 1);
        var idle = new[] { Remember(cache, Row()), Remember(cache, Row()) };
        clock.Advance(TimeSpan.FromMinutes(2));
        var fresh = new List<TokenDigest>();
        for (var i = 0; i < 2; i++)
        {
            fresh.Add(Remember(cache, Row()));
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Full (4 of 4): the two idle ones go, nothing else (checked at the end, so no use here refreshes one).
        var added = Remember(cache, Row());
        Assert.Equal(3, cache.Count);
        Assert.All(idle, d => Assert.False(cache.TryGet(d, out _)));

        // Full again with none idle: the least recently presented one goes (4 less three quarters of 4); the
        // oldest, presented just now, stays.
        clock.Advance(TimeSpan.FromSeconds(1));
        var fourth = Remember(cache, Row());
        Assert.Equal(4, cache.Count);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(cache.TryGet(fresh[0], out _));
        var fifth = Remember(cache, Row());
        Assert.Equal(4, cache.Count);
        Assert.False(cache.TryGet(fresh[1], out _));
        Assert.All(new[] { fresh[0], added, fourth, fifth }, d => Assert.True(cache.TryGet(d, out _)));
    }

    [Fact]
    public void TheVerifiedTokenMemoryForgetsEveryPresentedFormOfOneRowAndOnlyThatRow()
    {
        var (clock, cache) = Cache(capacity: 8, idleMinutes: 60);
        var row = Row();
        var other = Row();
        var first = Remember(cache, row);
        var second = Remember(cache, row);
        var kept = Remember(cache, other);

        Assert.Equal(2, cache.EvictToken(row.Id));
        Assert.Equal(0, cache.EvictToken(row.Id));
        Assert.False(cache.TryGet(first, out _));
        Assert.False(cache.TryGet(second, out _));
        Assert.True(cache.TryGet(kept, out var verified));
        Assert.Equal(other, verified.Token);

        cache.Evict(kept);
        Assert.False(cache.TryGet(kept, out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void TheVerifiedTokenMemoryNeedsItsOptionsAndTrimsAgainFromAnotherThread()
    {
        Assert.Throws<ArgumentNullException>(() => new VerifiedTokenCache(null!, new Microsoft.Extensions.Time.Testing.FakeTimeProvider()));
        var (clock, cache) = Cache(capacity: 1, idleMinutes: 1);

        // Each full memory trims on its own thread: a trim must leave the way free for the next one.
        foreach (var round in Enumerable.Range(0, 3))
        {
            var thread = new Thread(() => Remember(cache, Row()));
            thread.Start();
            thread.Join();
            Assert.Equal(1, cache.Count);
            clock.Advance(TimeSpan.FromMinutes(2));
        }
    }

    private static (Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock, VerifiedTokenCache Cache) Cache(int capacity, int idleMinutes)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var options = new HotPathOptions { VerifiedTokenCapacity = capacity, VerifiedTokenIdleMinutes = idleMinutes };
        return (clock, new VerifiedTokenCache(Microsoft.Extensions.Options.Options.Create(options), clock));
    }

    private static AuthenticatedToken Row() => new(Guid.NewGuid(), "t", "p", ["pat"], DateTimeOffset.UnixEpoch, null, "u", null);

    private static TokenDigest Remember(VerifiedTokenCache cache, AuthenticatedToken row)
    {
        var digest = TokenDigest.Of(PersonalAccessTokenFormat.Generate());
        cache.MarkVerified(digest, row, "hash");
        return digest;
    }
}
