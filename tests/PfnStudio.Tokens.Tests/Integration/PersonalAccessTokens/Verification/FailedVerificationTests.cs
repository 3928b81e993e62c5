using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PfnStudio.Tokens.Tests.Infrastructure;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;

namespace PfnStudio.Tokens.Tests.Integration.PersonalAccessTokens.Verification;

public sealed class FailedVerificationTests
{
    [Fact]
    public async Task AWrongSecretCostsNoArgon2RunNotEvenAfterTheMemoExpires()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "laptop");
        var wrong = token.WithWrongSecret(1);
        using var argon2 = Argon2Count.Start(app);

        for (var i = 0; i < 3; i++)
        {
            using var refused = await app.GetMeAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, argon2.Verifications);

        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(wrong));
        Assert.Equal(0, argon2.Verifications);

        // The correct token still takes its one Argon2 run.
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        Assert.Equal(1, argon2.Verifications);
    }

    [Fact]
    public async Task SomeoneWhoKnowsAPrefixCannotLockItsOwnerOutFromAnotherAddress()
    {
        await using var app = new TokensApplication { Settings = new Dictionary<string, string> { ["HotPath:ClientFailureLimit"] = "3" } };
        var user = await app.CreateUserAsync("owner@example.com");
        var token = await app.IssueTokenAsync(user.Id, "ci"); // never used yet: not verified in this process

        using var attacker = app.CreateClient();
        attacker.DefaultRequestHeaders.Add(TestClientAddress.Header, "203.0.113.66");
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.WithWrongSecret(i + 1));
            using var response = await attacker.SendAsync(request);
            answers.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, answers[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1]);

        // The owner's CI, from its own address, is not affected; the attacker's address is still refused.
        using var owner = app.CreateClientWithToken(token);
        owner.DefaultRequestHeaders.Add(TestClientAddress.Header, "198.51.100.7");
        using var ok = await owner.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var stillRefused = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        stillRefused.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.WithWrongSecret(99));
        using var refused = await attacker.SendAsync(stillRefused);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task WrongSecretsFromOneAddressAreThrottledWhileAVerifiedTokenKeepsWorking()
    {
        await using var app = new TokensApplication { Settings = new Dictionary<string, string> { ["HotPath:ClientFailureLimit"] = "3" } };
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "laptop");
        using var argon2 = Argon2Count.Start(app);
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token.WithWrongSecret(i + 1)));
        }

        Assert.Equal(1, argon2.Verifications); // the correct token's first use; wrong secrets cost none

        using (var throttled = await app.GetMeAsync(token.WithWrongSecret(10)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
            Assert.Equal("60", throttled.Headers.GetValues("Retry-After").Single());
            Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Too many attempts", await throttled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(1, argon2.Verifications);
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));

        app.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token.WithWrongSecret(11)));
        Assert.Equal(1, argon2.Verifications);
    }

    [Fact]
    public async Task EveryRefusalFirstOrFromMemoryIsSentOnlyAfterTheRefusalDelay()
    {
        await using var app = new TokensApplication { Settings = new Dictionary<string, string> { ["HotPath:RefusalDelayMilliseconds"] = "500" } };
        var user = await app.CreateUserAsync("ada@example.com");
        var wrong = (await app.IssueTokenAsync(user.Id, "laptop")).WithWrongSecret(1);

        // A wrong secret the first time (decided by the row's SHA-256), the same again (from memory), and an
        // unknown prefix: each waits out the same delay on the clock.
        foreach (var token in new[] { wrong, wrong, PersonalAccessTokenFormat.Generate() })
        {
            var refused = app.StatusOfMeAsync(token);
            await Task.Delay(200, TestContext.Current.CancellationToken);
            Assert.False(refused.IsCompleted);

            app.Clock.Advance(TimeSpan.FromMilliseconds(500));
            Assert.Equal(HttpStatusCode.Unauthorized, await refused);
        }
    }

    [Fact]
    public async Task ABurstOfWrongSecretsAtOnePrefixGetsTheLimitsAnswersAndRunsNoArgon2()
    {
        await using var app = new TokensApplication { Settings = new Dictionary<string, string> { ["HotPath:ClientFailureLimit"] = "3" } };
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "laptop");
        using var argon2 = Argon2Count.Start(app);

        var statuses = await Task.WhenAll(Enumerable.Range(1, 12).Select(i => app.StatusOfMeAsync(token.WithWrongSecret(i))));

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(9, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(0, argon2.Verifications);
    }

    [Fact]
    public async Task UnknownRevokedAndWrongSecretTokensReadTheSameAndCountAlikeAgainstTheAddress()
    {
        await using var app = new TokensApplication { Settings = new Dictionary<string, string> { ["HotPath:ClientFailureLimit"] = "3" } };
        var user = await app.CreateUserAsync("ada@example.com");
        var live = await app.IssueTokenAsync(user.Id, "live");
        var revoked = await app.IssueTokenAsync(user.Id, "revoked");
        await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Name == "revoked")
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, app.Clock.GetUtcNow())));
        var unknown = PersonalAccessTokenFormat.Generate();
        using var argon2 = Argon2Count.Start(app);

        var answers = new List<string>();
        foreach (var (token, address) in new[] { (unknown, "203.0.113.1"), (revoked, "203.0.113.2"), (live.WithWrongSecret(1), "203.0.113.3") })
        {
            using var client = app.CreateClient();
            client.DefaultRequestHeaders.Add(TestClientAddress.Header, address);
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var response = await client.GetAsync("/api/v1/me");
            answers.Add($"{(int)response.StatusCode} {response.Headers.WwwAuthenticate} {await response.Content.ReadAsStringAsync()}"
                .Replace(token, "TOKEN", StringComparison.Ordinal));

            // Fresh unknown tokens use up the address's attempts like fresh wrong secrets do, so the 429 that
            // follows a spray tells nothing either. (The same token repeated is refused from memory: 401 each time.)
            for (var i = 2; i <= 4 && token != revoked; i++)
            {
                using var again = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
                again.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
                    token == unknown ? PersonalAccessTokenFormat.Generate() : live.WithWrongSecret(i));
                using var later = await client.SendAsync(again);
                Assert.Equal(i <= 3 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, later.StatusCode);
            }
        }

        Assert.Single(answers.Select(a => System.Text.RegularExpressions.Regex.Replace(a, "\"traceId\":\"[^\"]*\"", "")).Distinct());
        Assert.StartsWith("401 ", answers[0], StringComparison.Ordinal);
        Assert.Equal(0, argon2.Verifications);
    }

    [Fact]
    public async Task ARevokedTokenRetriedByAForgottenJobDoesNotLockOutItsReplacementFromTheSameAddress()
    {
        // A short memo, so every retry within the address's 60-second window reaches the store again.
        await using var app = new TokensApplication
        {
            Settings = new Dictionary<string, string> { ["HotPath:ClientFailureLimit"] = "3", ["HotPath:FailedVerificationSeconds"] = "1" },
        };
        var user = await app.CreateUserAsync("ci@example.com");
        var old = await app.IssueTokenAsync(user.Id, "ci old");
        await app.WithDbAsync(db => db.PersonalAccessTokens.ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, app.Clock.GetUtcNow())));
        var replacement = await app.IssueTokenAsync(user.Id, "ci");

        for (var i = 0; i < 10; i++)
        {
            app.Clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(old));
        }

        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(replacement));
    }

    [Fact]
    public void TheFailureMemoryStaysWithinItsCapacity()
    {
        var clock = new FakeTimeProvider();
        var memo = new FailedTokenMemo(Options.Create(new HotPathOptions { FailedVerificationCapacity = 2 }), clock);
        var digests = Enumerable.Range(0, 3).Select(_ => TokenDigest.Of(PersonalAccessTokenFormat.Generate())).ToList();
        foreach (var digest in digests)
        {
            memo.RecordFailure(digest);
        }

        Assert.True(memo.IsKnownFailure(digests[0]));
        Assert.True(memo.IsKnownFailure(digests[1]));
        Assert.False(memo.IsKnownFailure(digests[2]));

        // Once the first two expire, the memo has room again.
        clock.Advance(TimeSpan.FromSeconds(60));
        memo.RecordFailure(digests[2]);
        Assert.False(memo.IsKnownFailure(digests[0]));
        Assert.True(memo.IsKnownFailure(digests[2]));
    }

    [Fact]
    public void TheFailureMemoryRemembersAFailureUntilOneTickBeforeTheEndOfItsWindowAndNotAtIt()
    {
        var clock = new FakeTimeProvider();
        var memo = new FailedTokenMemo(Options.Create(new HotPathOptions { FailedVerificationSeconds = 60 }), clock);
        var failed = TokenDigest.Of(PersonalAccessTokenFormat.Generate());
        var other = TokenDigest.Of(PersonalAccessTokenFormat.Generate());
        memo.RecordFailure(failed);

        Assert.True(memo.IsKnownFailure(failed));
        Assert.False(memo.IsKnownFailure(other));
        clock.Advance(TimeSpan.FromSeconds(60) - TimeSpan.FromTicks(1));
        Assert.True(memo.IsKnownFailure(failed));
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(memo.IsKnownFailure(failed));

        // Failing again starts a new window.
        memo.RecordFailure(failed);
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.True(memo.IsKnownFailure(failed));
    }

    [Fact]
    public void TheFailureMemoryWhenFullMakesRoomOnlyFromFailuresWhoseWindowHasEnded()
    {
        var clock = new FakeTimeProvider();
        var memo = new FailedTokenMemo(Options.Create(new HotPathOptions { FailedVerificationCapacity = 2, FailedVerificationSeconds = 60 }), clock);
        var first = TokenDigest.Of(PersonalAccessTokenFormat.Generate());
        var second = TokenDigest.Of(PersonalAccessTokenFormat.Generate());
        var third = TokenDigest.Of(PersonalAccessTokenFormat.Generate());
        memo.RecordFailure(first);
        clock.Advance(TimeSpan.FromSeconds(30));
        memo.RecordFailure(second);

        // A tick before the first one's window ends: no room, the new failure is not remembered.
        clock.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        memo.RecordFailure(third);
        Assert.False(memo.IsKnownFailure(third));

        // At its end: its room goes to the new one; the second is kept.
        clock.Advance(TimeSpan.FromTicks(1));
        memo.RecordFailure(third);
        Assert.True(memo.IsKnownFailure(third));
        Assert.True(memo.IsKnownFailure(second));
    }

    [Fact]
    public void TheFailureMemoryNeedsItsOptionsAndSweepsAgainFromAnotherThread()
    {
        var clock = new FakeTimeProvider();
        Assert.Throws<ArgumentNullException>(() => new FailedTokenMemo(null!, clock));
        var memo = new FailedTokenMemo(Options.Create(new HotPathOptions { FailedVerificationCapacity = 1, FailedVerificationSeconds = 60 }), clock);

        // Each full memo sweeps on its own thread: a sweep must leave the way free for the next one.
        foreach (var round in Enumerable.Range(0, 3))
        {
            var digest = TokenDigest.Of(PersonalAccessTokenFormat.Generate());
            var thread = new Thread(() => memo.RecordFailure(digest));
            thread.Start();
            thread.Join();
            Assert.True(memo.IsKnownFailure(digest), $"round {round}");
            clock.Advance(TimeSpan.FromSeconds(60));
        }
    }
}
