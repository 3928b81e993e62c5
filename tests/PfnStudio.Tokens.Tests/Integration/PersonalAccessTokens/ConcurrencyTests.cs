using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Tests.Infrastructure;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Tests.Integration.PersonalAccessTokens;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task OfEightIssuesWithOneNameAtOnceExactlyOneWins()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("race@example.com");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var tokens = scope.ServiceProvider.GetRequiredService<PersonalAccessTokenService>();
            return await tokens.IssueAsync(user.Id, "same", null, Guid.NewGuid());
        }));

        Assert.Single(results, r => r.Succeeded);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Contains("already have an active token named", r.Errors[IssueTokenResult.NameField]));
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
    }

    [Fact]
    public async Task OneFormPostedEightTimesAtOnceMintsOneToken()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("double@example.com");
        var requestId = Guid.NewGuid();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var tokens = scope.ServiceProvider.GetRequiredService<PersonalAccessTokenService>();
            return await tokens.IssueAsync(user.Id, $"name {i}", null, requestId);
        }));

        Assert.Single(results, r => r.Succeeded);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.True(r.AlreadyIssued));
    }

    [Fact]
    public async Task OfTwoRevokesAtOnceOneWinsAndTheOtherIsNotFound()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("revoke-race@example.com");
        var token = await app.IssueTokenAsync(user.Id, "contested");
        var id = await app.WithDbAsync(db => db.PersonalAccessTokens.Select(t => t.Id).SingleAsync());

        var names = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<PersonalAccessTokenService>().RevokeAsync(user.Id, id);
        }));

        Assert.Single(names, n => n == "contested");
        Assert.Single(names, n => n is null);
        using var response = await app.CreateClientWithToken(token).GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ATokenRevokedWhileInUseByManyCallersIsRefusedByEveryRequestStartedAfterTheRevoke()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("busy@example.com");
        var token = await app.IssueTokenAsync(user.Id, "busy");
        var id = await app.WithDbAsync(db => db.PersonalAccessTokens.Select(t => t.Id).SingleAsync());
        using var client = app.CreateClientWithToken(token);
        var revokedAtTicks = long.MaxValue;
        var lateSuccesses = 0;
        var serverErrors = 0;
        using var stop = new CancellationTokenSource();

        var callers = Enumerable.Range(0, 32).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                var started = DateTimeOffset.UtcNow.UtcTicks;
                using var response = await client.GetAsync("/api/v1/me");
                if ((int)response.StatusCode >= 500)
                {
                    Interlocked.Increment(ref serverErrors);
                }

                if (response.StatusCode == HttpStatusCode.OK && started > Interlocked.Read(ref revokedAtTicks))
                {
                    Interlocked.Increment(ref lateSuccesses);
                }
            }
        }).ToList();

        await Task.Delay(300);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.NotNull(await scope.ServiceProvider.GetRequiredService<PersonalAccessTokenService>().RevokeAsync(user.Id, id));
        }

        Interlocked.Exchange(ref revokedAtTicks, DateTimeOffset.UtcNow.UtcTicks);
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        Assert.Equal(0, lateSuccesses);
        Assert.Equal(0, serverErrors);
    }

    [Fact]
    public async Task SixtyFourConcurrentWrongSecretsForAKnownPrefixWithTheValidTokenAmongThemGetNo5xx()
    {
        // Many Argon2 runs at once, each at a real (if small) memory cost; at most MaxConcurrentHashes run together.
        await using var app = new TokensApplication
        {
            Settings = { ["Argon2:MemoryKiB"] = "4096", ["Argon2:MaxConcurrentHashes"] = "2", ["HotPath:ClientFailureLimit"] = "1000" },
        };
        var user = await app.CreateUserAsync("flood@example.com");
        var valid = await app.IssueTokenAsync(user.Id, "flooded");
        using var client = app.CreateClient();

        async Task<HttpStatusCode> CallAsync(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        var calls = Enumerable.Range(0, 64)
            .Select(i => i == 32 ? valid : valid[..26] + new string((char)('a' + (i % 26)), 19) + (char)('A' + (i / 26)))
            .Select(CallAsync)
            .ToList();
        var statuses = await Task.WhenAll(calls);

        Assert.Equal(HttpStatusCode.OK, statuses[32]);
        Assert.All(statuses.Where((_, i) => i != 32), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
    }
}
