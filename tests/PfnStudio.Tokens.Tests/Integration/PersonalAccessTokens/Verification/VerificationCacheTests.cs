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
}
