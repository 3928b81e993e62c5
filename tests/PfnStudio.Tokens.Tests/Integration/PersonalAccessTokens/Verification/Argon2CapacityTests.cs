using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Tests.Infrastructure;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Tests.Integration.PersonalAccessTokens.Verification;

public sealed class Argon2CapacityTests
{
    [Fact]
    public async Task WhenEveryArgon2SlotIsBusyANewTokenGets503WithRetryAfterWhileAVerifiedTokenWorks()
    {
        await using var app = new TokensApplication
        {
            Settings = new Dictionary<string, string>
            {
                ["Argon2:MaxConcurrentHashes"] = "1",
                ["Argon2:QueueTimeoutMilliseconds"] = "50",
            },
        };
        var user = await app.CreateUserAsync("ada@example.com");
        var warm = await app.IssueTokenAsync(user.Id, "warm");
        var cold = await app.IssueTokenAsync(user.Id, "cold");
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(warm));
        var hasher = app.Services.GetRequiredService<Argon2idTokenHasher>();
        Assert.Equal(1, hasher.SlotCount);

        using (await hasher.AcquireSlotAsync(CancellationToken.None))
        {
            using var busy = await app.GetMeAsync(cold);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
            Assert.Equal("5", busy.Headers.GetValues("Retry-After").Single());
            Assert.Contains("Token verification is at capacity; retry shortly.", await busy.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(warm));
        }

        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(cold));
    }

    [Fact]
    public async Task TheDefaultNumberOfArgon2SlotsLeavesOneProcessorToTheWarmPath()
    {
        await using var app = new TokensApplication();
        Assert.Equal(Math.Max(1, Environment.ProcessorCount - 1), app.Services.GetRequiredService<Argon2idTokenHasher>().SlotCount);
    }

    [Fact]
    public async Task AnAttemptRefusedForCapacityCountsAgainstTheCallersAddressLikeAFailure()
    {
        await using var app = new TokensApplication
        {
            Settings = new Dictionary<string, string>
            {
                ["Argon2:MaxConcurrentHashes"] = "1",
                ["Argon2:QueueTimeoutMilliseconds"] = "20",
                ["HotPath:ClientFailureLimit"] = "2",
            },
        };
        var user = await app.CreateUserAsync("ada@example.com");
        var tokens = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            tokens.Add(await app.IssueTokenAsync(user.Id, $"cold {i}"));
        }

        var hasher = app.Services.GetRequiredService<Argon2idTokenHasher>();
        using (await hasher.AcquireSlotAsync(CancellationToken.None))
        {
            // A flood that keeps Argon2 busy must run out of attempts like one that sends wrong secrets.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await app.StatusOfMeAsync(tokens[0]));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await app.StatusOfMeAsync(tokens[1]));
            Assert.Equal(HttpStatusCode.TooManyRequests, await app.StatusOfMeAsync(tokens[2]));
        }

        // From another address the correct token is verified at once.
        using var other = app.CreateClientWithToken(tokens[2]);
        other.DefaultRequestHeaders.Add(TestClientAddress.Header, "198.51.100.9");
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task FreshTokensOfOneMachineWaitingTogetherForArgon2AreNeverThrottled()
    {
        await using var app = new TokensApplication
        {
            Settings = new Dictionary<string, string>
            {
                ["Argon2:MaxConcurrentHashes"] = "1",
                ["HotPath:ClientFailureLimit"] = "2",
            },
        };
        var user = await app.CreateUserAsync("ada@example.com");
        var tokens = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            tokens.Add(await app.IssueTokenAsync(user.Id, $"ci job {i}"));
        }

        // Six jobs on one runner start at once with their new tokens: all six queue for the one Argon2 slot, more
        // than the address's two failures, and none of them is a failure.
        var hasher = app.Services.GetRequiredService<Argon2idTokenHasher>();
        Task<HttpStatusCode[]> firstUses;
        using (await hasher.AcquireSlotAsync(CancellationToken.None))
        {
            firstUses = Task.WhenAll(tokens.Select(app.StatusOfMeAsync));
            await Task.Delay(300, TestContext.Current.CancellationToken);
            Assert.False(firstUses.IsCompleted);
        }

        Assert.All(await firstUses, status => Assert.Equal(HttpStatusCode.OK, status));

        // Nothing was counted against the address: two wrong secrets are still refused as such, the third is 429.
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(tokens[0].WithWrongSecret(1)));
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(tokens[0].WithWrongSecret(2)));
        Assert.Equal(HttpStatusCode.TooManyRequests, await app.StatusOfMeAsync(tokens[1].WithWrongSecret(3)));
    }

    [Fact]
    public async Task FirstUsesBeyondTheGlobalBudgetGet503WhileVerifiedTokensWorkAndTheBudgetRefills()
    {
        await using var app = new TokensApplication
        {
            Settings = new Dictionary<string, string>
            {
                ["Argon2:VerificationsPerSecond"] = "1",
                ["Argon2:QueueTimeoutMilliseconds"] = "100",
            },
        };
        var user = await app.CreateUserAsync("ada@example.com");
        var tokens = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            tokens.Add(await app.IssueTokenAsync(user.Id, $"hoard {i}"));
        }

        Assert.Equal(1, app.Services.GetRequiredService<Argon2idTokenHasher>().VerificationsPerSecond);

        // Each from its own address: the budget is global, not per caller.
        async Task<HttpResponseMessage> FirstUseAsync(string token, string address)
        {
            using var client = app.CreateClientWithToken(token);
            client.DefaultRequestHeaders.Add(TestClientAddress.Header, address);
            return await client.GetAsync("/api/v1/me");
        }

        using var first = await FirstUseAsync(tokens[0], "198.51.100.1");
        using var second = await FirstUseAsync(tokens[1], "198.51.100.2");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal("5", second.Headers.GetValues("Retry-After").Single());
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(tokens[0]));

        // However long the machine took, the budget is not refilled before its second is over on the host's clock.
        using var stillSpent = await FirstUseAsync(tokens[2], "198.51.100.3");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stillSpent.StatusCode);

        // It refills when the second is over on the host's clock.
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        using var later = await FirstUseAsync(tokens[2], "198.51.100.4");
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public async Task TheDefaultBudgetIsFiveVerificationsPerSecondPerSlot()
    {
        await using var app = new TokensApplication { ProductionArgon2 = true };
        var hasher = app.Services.GetRequiredService<Argon2idTokenHasher>();
        Assert.Equal(5 * hasher.SlotCount, hasher.VerificationsPerSecond);
    }
}
