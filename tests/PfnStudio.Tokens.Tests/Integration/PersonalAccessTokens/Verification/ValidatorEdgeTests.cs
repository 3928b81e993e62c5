using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;
using PfnStudio.Tokens.Tests.Infrastructure;
using static PfnStudio.Tokens.Tests.Infrastructure.ProjectApiHelpers;

namespace PfnStudio.Tokens.Tests.Integration.PersonalAccessTokens.Verification;

/// <summary>
/// The validator's edges that issue 18 found no test noticing: a remembered verification is only used for the very
/// row and hash it was made against; the audit rows of revoked, expired and disabled use say which; throttled answers
/// say when to retry and wait out the refusal delay; a caller that leaves during the delay still gets its refusal.
/// </summary>
public sealed class ValidatorEdgeTests
{
    [Fact]
    public async Task AVerifiedTokenWhoseRowWasDeletedIsRefusedNotServedFromMemory()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "laptop");
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));

        await app.WithDbAsync(db => db.PersonalAccessTokens.ExecuteDeleteAsync());

        using var refused = await app.GetMeAsync(token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(
            "Bearer realm=\"pfnstudio\", error=\"invalid_token\", error_description=\"The token is unknown or has been revoked.\"",
            refused.Headers.WwwAuthenticate.ToString());
        Assert.Equal(0, app.Services.GetRequiredService<VerifiedTokenCache>().Count);
    }

    [Fact]
    public async Task AVerifiedTokenWhoseRowWasReplacedUnderTheSamePrefixIsVerifiedAgainAndAnswersAsTheNewRow()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "old row");
        using var argon2 = Argon2Count.Start(app);
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));

        // Another row, same prefix and hash: the remembered verification belongs to the old row's id.
        await app.WithDbAsync(async db =>
        {
            var old = await db.PersonalAccessTokens.AsNoTracking().SingleAsync();
            await db.PersonalAccessTokens.ExecuteDeleteAsync();
            old.Id = Guid.NewGuid();
            old.Name = "new row";
            db.PersonalAccessTokens.Add(old);
            return await db.SaveChangesAsync();
        });

        using var response = await app.GetMeAsync(token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("new row", (await response.JsonAsync()).GetProperty("token").GetProperty("name").GetString());
        Assert.Equal(2, argon2.Verifications);
    }

    [Fact]
    public async Task AVerifiedTokenWhoseRowsHashWasReplacedInPlaceIsRefused()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "laptop");
        var other = await app.IssueTokenAsync(user.Id, "other");
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));

        // The same row (same id, same prefix) now holds another secret's hash: what was remembered no longer holds.
        var otherRow = await app.WithDbAsync(db => db.PersonalAccessTokens.AsNoTracking().SingleAsync(t => t.Name == "other"));
        await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Name == "laptop")
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Hash, otherRow.Hash).SetProperty(t => t.SecretSha256, otherRow.SecretSha256)));

        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token));
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(other));
    }

    [Fact]
    public async Task TheAuditRowsOfRevokedExpiredAndDisabledUseSayWhichWithTheClientAddress()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var known = await app.IssueTokenAsync(user.Id, "known then revoked");
        var unknown = await app.IssueTokenAsync(user.Id, "revoked before use");
        var expiring = await app.IssueTokenAsync(user.Id, "expiring", expiresInDays: 1);
        Assert.Equal(HttpStatusCode.OK, await StatusFromAsync(app, known));
        Assert.Equal(HttpStatusCode.OK, await StatusFromAsync(app, expiring));
        await app.RevokeFromAnotherConnectionAsync(known, app.Clock.GetUtcNow());
        await app.RevokeFromAnotherConnectionAsync(unknown, app.Clock.GetUtcNow());
        app.Clock.Advance(TimeSpan.FromDays(1));

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusFromAsync(app, known));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusFromAsync(app, unknown));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusFromAsync(app, expiring));

        var other = await app.CreateUserAsync("disabled@example.com");
        var disabled = await app.IssueTokenAsync(other.Id, "of a disabled account");
        await app.WithDbAsync(db => db.Users.Where(u => u.Id == other.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisabledAt, app.Clock.GetUtcNow())));
        Assert.NotEqual(HttpStatusCode.OK, await StatusFromAsync(app, disabled));

        // Wrong secrets behind live prefixes: one decided by the row's SHA-256, one by Argon2 (a row without it).
        var guessed = await app.IssueTokenAsync(user.Id, "guessed");
        var legacy = await app.IssueTokenAsync(user.Id, "guessed, without SHA-256");
        await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Name == "guessed, without SHA-256")
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.SecretSha256, (string?)null)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusFromAsync(app, guessed.WithWrongSecret(1)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusFromAsync(app, legacy.WithWrongSecret(1)));

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await HotPathExtensions.EventuallyAsync(async () => (await UseRowsAsync(app)).Count >= 6, "the audit batch");
        var rows = (await UseRowsAsync(app)).ToDictionary(e => e.TokenPrefix);
        Assert.Equal(6, rows.Count);
        Assert.Equal((AuditEventKind.FailedUse, "wrong secret"), (rows[guessed[14..26]].Kind, rows[guessed[14..26]].Detail));
        Assert.Equal((AuditEventKind.FailedUse, "wrong secret"), (rows[legacy[14..26]].Kind, rows[legacy[14..26]].Detail));
        Assert.All(rows.Values, e => Assert.Equal("192.0.2.44", e.ClientAddress));
        Assert.Equal((AuditEventKind.FailedUse, "revoked token presented"), (rows[known[14..26]].Kind, rows[known[14..26]].Detail));
        Assert.Equal((AuditEventKind.FailedUse, "revoked token presented"), (rows[unknown[14..26]].Kind, rows[unknown[14..26]].Detail));
        Assert.Equal((AuditEventKind.ExpiredUse, "expired token presented"), (rows[expiring[14..26]].Kind, rows[expiring[14..26]].Detail));
        Assert.Equal((AuditEventKind.FailedUse, "token of a disabled account presented"), (rows[disabled[14..26]].Kind, rows[disabled[14..26]].Detail));
        Assert.Equal(other.Id, rows[disabled[14..26]].UserId);
    }

    [Fact]
    public async Task EveryThrottledAnswerOfABurstAtARowWithoutSha256SaysToRetryWhenTheWindowEnds()
    {
        await using var app = new TokensApplication { Settings = new Dictionary<string, string> { ["HotPath:ClientFailureLimit"] = "3" } };
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "issued before SHA-256");
        await app.WithDbAsync(db => db.PersonalAccessTokens.ExecuteUpdateAsync(s => s.SetProperty(t => t.SecretSha256, (string?)null)));
        using var argon2 = Argon2Count.Start(app);

        var answers = await Task.WhenAll(Enumerable.Range(1, 12).Select(async i =>
        {
            using var response = await app.GetMeAsync(token.WithWrongSecret(i));
            return (response.StatusCode, RetryAfter: response.Headers.RetryAfter?.Delta);
        }));

        Assert.Equal(3, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.Unauthorized), a =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, a.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(60), a.RetryAfter);
        });
        Assert.InRange(argon2.Verifications, 1, 3);
    }

    [Fact]
    public async Task AThrottledAnswerIsSentOnlyAfterTheRefusalDelayAndSaysWhenTheWindowEnds()
    {
        await using var app = new TokensApplication
        {
            Settings = new Dictionary<string, string> { ["HotPath:ClientFailureLimit"] = "1", ["HotPath:RefusalDelayMilliseconds"] = "500" },
        };
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "laptop");

        Assert.Equal(HttpStatusCode.Unauthorized, await AfterTheDelayAsync(app, app.StatusOfMeAsync(token.WithWrongSecret(1))));

        // The address's one attempt of the window is used up: each further wrong secret waits, then gets 429.
        foreach (var seed in new[] { 2, 3 })
        {
            using var response = await AfterTheDelayAsync(app, app.GetMeAsync(token.WithWrongSecret(seed)));
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.InRange(response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(57), TimeSpan.FromSeconds(60));
        }
    }

    [Fact]
    public async Task ARefusalWhoseCallerLeavesDuringTheDelayIsStillARefusal()
    {
        await using var app = new TokensApplication { Settings = new Dictionary<string, string> { ["HotPath:RefusalDelayMilliseconds"] = "500" } };
        var user = await app.CreateUserAsync("ada@example.com");
        var wrong = (await app.IssueTokenAsync(user.Id, "laptop")).WithWrongSecret(1);
        PersonalAccessTokenFormat.TryGetPrefix(wrong, out var prefix);
        var validator = app.Services.GetRequiredService<PersonalAccessTokenValidator>();

        // First from the row's SHA-256, then from memory: the caller leaves while each waits.
        foreach (var status in new[] { "first", "from memory" })
        {
            using var leaving = new CancellationTokenSource();
            var refusal = validator.ValidateAsync(wrong, prefix, "192.0.2.7", leaving.Token);
            await Task.Delay(100, TestContext.Current.CancellationToken);
            Assert.False(refusal.IsCompleted, status);
            await leaving.CancelAsync();
            var result = await refusal;
            Assert.Equal(TokenValidationStatus.Invalid, result.Status);
            Assert.Null(result.Token);
        }
    }

    [Fact]
    public async Task ATokenRevokedBetweenTheStateReadAndTheWholeRowReadIsRefusedWithoutArgon2AndWithoutChargingItsAddress()
    {
        await using var app = new TokensApplication { Settings = new Dictionary<string, string> { ["HotPath:ClientFailureLimit"] = "1" } };
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "revoked meanwhile");
        using var argon2 = Argon2Count.Start(app);

        // Another host revokes it just after this request found the row live.
        app.Commands.Arm(WholeRowRead, () => app.RevokeFromAnotherConnectionAsync(token, app.Clock.GetUtcNow()));
        using var refused = await app.GetMeAsync(token);

        Assert.True(app.Commands.Fired);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(
            "Bearer realm=\"pfnstudio\", error=\"invalid_token\", error_description=\"The token is unknown or has been revoked.\"",
            refused.Headers.WwwAuthenticate.ToString());
        Assert.Equal(0, argon2.Verifications);

        // The revoked token itself is not a guess: the address's one failure is still there for a wrong secret.
        var other = await app.IssueTokenAsync(user.Id, "other");
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(other.WithWrongSecret(1)));
        Assert.Equal(HttpStatusCode.TooManyRequests, await app.StatusOfMeAsync(other.WithWrongSecret(2)));
    }

    [Fact]
    public async Task ATokenWhoseSecretWasReplacedBetweenTheReadsIsAWrongSecretRefusedWithoutArgon2AndAudited()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "regenerated meanwhile");
        var other = await app.IssueTokenAsync(user.Id, "other");
        var otherRow = await app.WithDbAsync(db => db.PersonalAccessTokens.AsNoTracking().SingleAsync(t => t.Name == "other"));
        using var argon2 = Argon2Count.Start(app);

        // Its row gets another secret (as a regenerate on another host would) just after its state was read.
        app.Commands.Arm(WholeRowRead, () => app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Name == "regenerated meanwhile")
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.Hash, otherRow.Hash).SetProperty(t => t.SecretSha256, otherRow.SecretSha256))));
        var status = await StatusFromAsync(app, token);

        Assert.True(app.Commands.Fired);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(0, argon2.Verifications);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await HotPathExtensions.EventuallyAsync(async () => (await UseRowsAsync(app)).Count >= 1, "the audit batch");
        var row = Assert.Single(await UseRowsAsync(app));
        Assert.Equal((AuditEventKind.FailedUse, "wrong secret", token[14..26], "192.0.2.44"), (row.Kind, row.Detail, row.TokenPrefix, row.ClientAddress));
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(other));
    }

    [Fact]
    public async Task AVerifiedTokenWhoseRowWasDeletedIsThrottledAfterTheDelayWhenItsAddressUsedUpItsAttempts()
    {
        await using var app = new TokensApplication
        {
            Settings = new Dictionary<string, string> { ["HotPath:ClientFailureLimit"] = "1", ["HotPath:RefusalDelayMilliseconds"] = "500" },
        };
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "laptop");
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        Assert.Equal(HttpStatusCode.Unauthorized, await AfterTheDelayAsync(app, app.StatusOfMeAsync(token.WithWrongSecret(1))));

        // Remembered, so not stopped at the address's limit; but its row is gone, and the refusal is the limit's.
        await app.WithDbAsync(db => db.PersonalAccessTokens.ExecuteDeleteAsync());
        using var response = await AfterTheDelayAsync(app, app.GetMeAsync(token));
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.InRange(response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(57), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task AWrongSecretForARowWithoutSha256IsThrottledWhenTheAddressUsedUpItsAttemptsWhileItWasBeingRead()
    {
        await using var app = new TokensApplication { Settings = new Dictionary<string, string> { ["HotPath:ClientFailureLimit"] = "2" } };
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "issued before SHA-256");
        await app.WithDbAsync(db => db.PersonalAccessTokens.ExecuteUpdateAsync(s => s.SetProperty(t => t.SecretSha256, (string?)null)));
        using var argon2 = Argon2Count.Start(app);

        // While this wrong secret's row is read, two others from the same address use up its attempts with Argon2.
        app.Commands.Arm(WholeRowRead, async () =>
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token.WithWrongSecret(1)));
            Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token.WithWrongSecret(2)));
        });
        using var throttled = await app.GetMeAsync(token.WithWrongSecret(3));

        Assert.True(app.Commands.Fired);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), throttled.Headers.RetryAfter?.Delta);
        Assert.Equal(2, argon2.Verifications);
    }

    [Fact]
    public async Task AConcurrentFirstUseThatMissedTheMemoryWhileAnotherVerifiedTheSameTokenRunsNoSecondArgon2()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "ci");
        using var argon2 = Argon2Count.Start(app);

        // This request found nothing remembered; while it reads the row, another one verifies the same token and ends.
        app.Commands.Arm(WholeRowRead, async () => Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token)));
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));

        Assert.True(app.Commands.Fired);
        Assert.Equal(1, argon2.Verifications);
    }

    [Fact]
    public async Task AFineGrainedTokenWhoseChosenProjectWasRemovedStillListsItAsRemoved()
    {
        await using var app = new TokensApplication();
        var (user, _) = await app.CreateMemberWithTokenAsync("ada@example.com");
        var token = await app.IssueFineGrainedTokenAsync(user.Id, "ci", "pfnstudio", ["read"], [DemoProject]);
        await app.WithDbAsync(db => db.Projects.Where(p => p.Slug == DemoProject).ExecuteDeleteAsync());

        using var response = await app.GetMeAsync(token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["(removed project)"], (await response.JsonAsync()).GetProperty("token").GetProperty("projects").EnumerateArray().Select(p => p.GetString()));
    }

    // The whole-row read of a token not verified before (EF Core; the per-request state read is the reader's own SQL).
    private const string WholeRowRead = "\"ProjectIds\"";

    // Not answered while the clock stands still; answered once it moves on by the delay (again, on a slow machine
    // whose request reached the delay only after the clock moved).
    private static async Task<T> AfterTheDelayAsync<T>(TokensApplication app, Task<T> answer)
    {
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.False(answer.IsCompleted);
        while (!answer.IsCompleted)
        {
            app.Clock.Advance(TimeSpan.FromMilliseconds(500));
            await Task.WhenAny(answer, Task.Delay(200, TestContext.Current.CancellationToken));
        }

        return await answer;
    }

    private static async Task<HttpStatusCode> StatusFromAsync(TokensApplication app, string token)
    {
        using var client = app.CreateClientWithToken(token);
        client.DefaultRequestHeaders.Add(TestClientAddress.Header, "192.0.2.44");
        using var response = await client.GetAsync("/api/v1/me");
        return response.StatusCode;
    }

    private static Task<List<AuditEvent>> UseRowsAsync(TokensApplication app) =>
        app.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Kind == AuditEventKind.FailedUse || e.Kind == AuditEventKind.ExpiredUse).ToListAsync());
}
