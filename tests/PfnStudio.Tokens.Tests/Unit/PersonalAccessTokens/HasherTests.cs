using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Tests.Unit.PersonalAccessTokens;

public sealed class HasherTests
{
    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    private static Argon2idTokenHasher Hasher(int memoryKiB = 64, int iterations = 1, int parallelism = 1) =>
        new(Options.Create(new Argon2Options { MemoryKiB = memoryKiB, Iterations = iterations, Parallelism = parallelism }), Meters);

    [Fact]
    public async Task AHashIsAPhcStringThatVerifiesItsTokenOnly()
    {
        using var hasher = Hasher();
        var token = PersonalAccessTokenFormat.Generate();

        var hash = await hasher.HashAsync(token);

        Assert.Matches(@"^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$", hash);
        Assert.DoesNotContain(token[14..], hash, StringComparison.Ordinal);
        Assert.True(await hasher.VerifyAsync(token, hash));
        Assert.False(await hasher.VerifyAsync(PersonalAccessTokenFormat.Generate(), hash));
        Assert.False(await hasher.VerifyAsync(token[..^1] + (token[^1] == 'a' ? 'b' : 'a'), hash));
    }

    [Fact]
    public async Task TwoHashesOfOneTokenDifferByTheirSalt()
    {
        using var hasher = Hasher();
        var token = PersonalAccessTokenFormat.Generate();

        Assert.NotEqual(await hasher.HashAsync(token), await hasher.HashAsync(token));
    }

    [Fact]
    public async Task AHashMadeWithOtherParametersStillVerifiesAndAsksForARehash()
    {
        using var old = Hasher(memoryKiB: 128, iterations: 3, parallelism: 2);
        using var current = Hasher();
        var token = PersonalAccessTokenFormat.Generate();
        var hash = await old.HashAsync(token);

        Assert.StartsWith("$argon2id$v=19$m=128,t=3,p=2$", hash);
        Assert.True(await current.VerifyAsync(token, hash));
        Assert.True(current.NeedsRehash(hash));
        Assert.False(current.NeedsRehash(await current.HashAsync(token)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a hash")]
    [InlineData("$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    [InlineData("$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    [InlineData("$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    [InlineData("$argon2id$v=19$m=64,t=1,p=1$!!!$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    [InlineData("$argon2id$v=19$m=64,t=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    public async Task AMalformedStoredHashNeverVerifiesAndNeverThrows(string stored)
    {
        using var hasher = Hasher();

        Assert.False(await hasher.VerifyAsync(PersonalAccessTokenFormat.Generate(), stored));
    }

    [Fact]
    public async Task TheProductionDefaultsAreOwaspsAndWork()
    {
        var defaults = new Argon2Options();
        Assert.Equal((19_456, 2, 1), (defaults.MemoryKiB, defaults.Iterations, defaults.Parallelism));

        using var hasher = new Argon2idTokenHasher(Options.Create(defaults), Meters);
        var token = PersonalAccessTokenFormat.Generate();
        var hash = await hasher.HashAsync(token);

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", hash);
        Assert.True(await hasher.VerifyAsync(token, hash));
        Assert.False(await hasher.VerifyAsync(PersonalAccessTokenFormat.Generate(), hash));
    }

    [Fact]
    public async Task WhenEverySlotStaysBusyTheCallerIsToldInsteadOfQueueingForever()
    {
        using var hasher = new Argon2idTokenHasher(Options.Create(new Argon2Options
        {
            MemoryKiB = 64, Iterations = 1, MaxConcurrentHashes = 1, QueueTimeoutMilliseconds = 1,
        }), Meters);
        var token = PersonalAccessTokenFormat.Generate();

        // The one slot is taken for certain (not by a hash that may not have started yet).
        using (await hasher.AcquireSlotAsync(TestContext.Current.CancellationToken))
        {
            await Assert.ThrowsAsync<HashingBusyException>(() => hasher.HashAsync(token));
            await Assert.ThrowsAsync<HashingBusyException>(() => hasher.VerifyAsync(token, "$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        }

        Assert.StartsWith("$argon2id$", await hasher.HashAsync(token), StringComparison.Ordinal);
    }
}
