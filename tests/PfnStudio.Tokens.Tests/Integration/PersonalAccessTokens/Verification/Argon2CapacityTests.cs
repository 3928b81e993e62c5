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
    public async Task TheDefaultNumberOfArgon2SlotsIsTheProcessorCount()
    {
        await using var app = new TokensApplication();
        Assert.Equal(Environment.ProcessorCount, app.Services.GetRequiredService<Argon2idTokenHasher>().SlotCount);
    }
}
