using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
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
    // A well-formed stored hash with the given fields; salt and hash are base64 of that many zero bytes, unpadded.
    private static string Phc(string parameters = "m=64,t=1,p=1", int saltBytes = 16, int hashBytes = 32, string version = "v=19") =>
        $"$argon2id${version}${parameters}${Convert.ToBase64String(new byte[saltBytes]).TrimEnd('=')}${Convert.ToBase64String(new byte[hashBytes]).TrimEnd('=')}";

    // Parses: a hasher configured with exactly these parameters asks for no rehash of a row it can read.
    private static bool Parses(string stored, int memoryKiB = 64, int iterations = 1, int parallelism = 1)
    {
        using var hasher = Hasher(memoryKiB, iterations, parallelism);
        return !hasher.NeedsRehash(stored);
    }

    [Theory]
    [InlineData("x$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // text before the first $
    [InlineData("argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // no leading $
    [InlineData("$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$")] // a seventh field
    [InlineData("$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA")] // no hash
    [InlineData("$ARGON2ID$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // algorithm in upper case
    [InlineData("$argon2d$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // another variant
    [InlineData("$argon2id$v=019$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // version spelled otherwise
    [InlineData("$argon2id$$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // no version
    [InlineData("$argon2id$v=19$m=64,t=1,p=1,x=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // unknown parameter
    [InlineData("$argon2id$v=19$m=64,t=1,p$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // a parameter without a value
    [InlineData("$argon2id$v=19$m=64=1,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // two = in one parameter
    [InlineData("$argon2id$v=19$m=+64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // a sign
    [InlineData("$argon2id$v=19$m= 64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // a space
    [InlineData("$argon2id$v=19$m=-64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // negative
    [InlineData("$argon2id$v=19$m=64,t=1,p=99999999999$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // beyond int
    [InlineData("$argon2id$v=19$m=64,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // no t
    [InlineData("$argon2id$v=19$t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // no m
    [InlineData("$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // padded salt, then padded again
    [InlineData("$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // a salt of 13 characters is no base64
    [InlineData("$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!")] // a hash character outside base64
    [InlineData("$argon2id$v=19$m=64,t=1,p=1$$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // empty salt
    [InlineData("$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$")] // empty hash
    public async Task EachDamagedFieldOfAStoredPhcStringIsARefusalNeverAnException(string stored)
    {
        using var hasher = Hasher();

        Assert.False(await hasher.VerifyAsync(PersonalAccessTokenFormat.Generate(), stored, TestContext.Current.CancellationToken));
        Assert.True(hasher.NeedsRehash(stored));
    }

    [Theory]
    [InlineData("m=8,t=1,p=1", 8, 1, 1, true)] // the least memory for one lane
    [InlineData("m=7,t=1,p=1", 7, 1, 1, false)]
    [InlineData("m=16,t=1,p=2", 16, 1, 2, true)] // 8 KiB per lane
    [InlineData("m=15,t=1,p=2", 15, 1, 2, false)]
    [InlineData("m=1048576,t=1,p=1", 1_048_576, 1, 1, true)] // the largest memory a row may ask for
    [InlineData("m=1048577,t=1,p=1", 1_048_577, 1, 1, false)]
    [InlineData("m=64,t=16,p=1", 64, 16, 1, true)]
    [InlineData("m=64,t=17,p=1", 64, 17, 1, false)]
    [InlineData("m=64,t=0,p=1", 64, 0, 1, false)]
    [InlineData("m=128,t=1,p=16", 128, 1, 16, true)]
    [InlineData("m=136,t=1,p=17", 136, 1, 17, false)]
    [InlineData("m=64,t=1,p=0", 64, 1, 0, false)]
    [InlineData("p=1,t=1,m=64", 64, 1, 1, true)] // any order
    public void StoredParametersAreReadUpToTheirBoundsAndNotOnePast(string parameters, int m, int t, int p, bool readable)
    {
        Assert.Equal(readable, Parses(Phc(parameters), m, t, p));
    }

    [Theory]
    [InlineData(8, 32, true)] // the shortest salt (11 base64 characters)
    [InlineData(7, 32, false)]
    [InlineData(9, 32, true)] // 12 characters, no padding to add
    [InlineData(10, 32, true)] // 14 characters, two = to add
    [InlineData(16, 16, true)] // the shortest hash
    [InlineData(16, 15, false)]
    [InlineData(16, 64, true)] // the longest hash
    [InlineData(16, 65, false)]
    public void SaltAndHashLengthsAreReadUpToTheirBoundsAndNotOnePast(int saltBytes, int hashBytes, bool readable)
    {
        Assert.Equal(readable, Parses(Phc(saltBytes: saltBytes, hashBytes: hashBytes)));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    public async Task ASaltOfEveryBase64PaddingVerifiesItsToken(int saltBytes)
    {
        // A hash made elsewhere (another salt length) with this hasher's parameters: verifying it decodes the salt
        // and the hash exactly, whatever padding their base64 needed.
        using var hasher = Hasher();
        var token = PersonalAccessTokenFormat.Generate();
        var salt = Enumerable.Range(1, saltBytes).Select(i => (byte)i).ToArray();
        using var argon2 = new Konscious.Security.Cryptography.Argon2id(System.Text.Encoding.UTF8.GetBytes(token))
        {
            Salt = salt, MemorySize = 64, Iterations = 1, DegreeOfParallelism = 1,
        };
        var hash = await argon2.GetBytesAsync(31);
        var stored = $"$argon2id$v=19$m=64,t=1,p=1${Convert.ToBase64String(salt).TrimEnd('=')}${Convert.ToBase64String(hash).TrimEnd('=')}";

        Assert.True(await hasher.VerifyAsync(token, stored, TestContext.Current.CancellationToken));
        Assert.False(await hasher.VerifyAsync(PersonalAccessTokenFormat.Generate(), stored, TestContext.Current.CancellationToken));
        Assert.False(hasher.NeedsRehash(stored));
    }

    [Fact]
    public async Task AHashUsesTheConfiguredSaltAndHashLengths()
    {
        using var hasher = new Argon2idTokenHasher(Options.Create(new Argon2Options
        {
            MemoryKiB = 64, Iterations = 1, Parallelism = 1, SaltBytes = 24, HashBytes = 48,
        }), Meters);
        var token = PersonalAccessTokenFormat.Generate();

        var hash = await hasher.HashAsync(token, TestContext.Current.CancellationToken);

        var parts = hash.Split('$');
        Assert.Equal(24, Convert.FromBase64String(parts[4]).Length);
        Assert.Equal(48, Convert.FromBase64String(parts[5]).Length);
        Assert.True(await hasher.VerifyAsync(token, hash, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void OnlyAChangeOfAParameterAsksForARehash()
    {
        using var hasher = Hasher(memoryKiB: 64, iterations: 2, parallelism: 2);

        Assert.False(hasher.NeedsRehash(Phc("m=64,t=2,p=2")));
        Assert.True(hasher.NeedsRehash(Phc("m=128,t=2,p=2")));
        Assert.True(hasher.NeedsRehash(Phc("m=64,t=1,p=2")));
        Assert.True(hasher.NeedsRehash(Phc("m=64,t=2,p=1")));
    }

    [Fact]
    public void SlotsAndTheBudgetAreTheConfiguredOnesOrDerivedFromTheProcessorCount()
    {
        using var configured = new Argon2idTokenHasher(Options.Create(new Argon2Options { MaxConcurrentHashes = 3, VerificationsPerSecond = 7 }), Meters);
        using var derived = new Argon2idTokenHasher(Options.Create(new Argon2Options()), Meters);
        using var fromSlots = new Argon2idTokenHasher(Options.Create(new Argon2Options { MaxConcurrentHashes = 4 }), Meters);

        Assert.Equal((3, 7), (configured.SlotCount, configured.VerificationsPerSecond));
        Assert.Equal(Math.Max(1, Environment.ProcessorCount - 1), derived.SlotCount);
        Assert.Equal(5 * derived.SlotCount, derived.VerificationsPerSecond);
        Assert.Equal((4, 20), (fromSlots.SlotCount, fromSlots.VerificationsPerSecond));
    }

    [Fact]
    public async Task ACancelledCallerIsToldSoAndNotThatHashingIsBusy()
    {
        using var hasher = Hasher();
        var token = PersonalAccessTokenFormat.Generate();
        var stored = await hasher.HashAsync(token, TestContext.Current.CancellationToken);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hasher.VerifyAsync(token, stored, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hasher.HashAsync(token, cancelled.Token));

        // Nothing was taken: the hasher still verifies.
        Assert.True(await hasher.VerifyAsync(token, stored, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ACancelledWaitForTheBudgetIsACancellationAndTheBudgetRefillsWhenTheClocksSecondIsOver()
    {
        var clock = new FakeTimeProvider();
        using var hasher = new Argon2idTokenHasher(Options.Create(new Argon2Options
        {
            MemoryKiB = 64, Iterations = 1, VerificationsPerSecond = 1, QueueTimeoutMilliseconds = 60_000,
        }), Meters, clock);
        var token = PersonalAccessTokenFormat.Generate();
        var stored = await hasher.HashAsync(token, TestContext.Current.CancellationToken);
        Assert.True(await hasher.VerifyAsync(token, stored, TestContext.Current.CancellationToken));

        // The one permit of this second is spent: the next verification waits for the refill, and its caller gives up.
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hasher.VerifyAsync(token, stored, caller.Token));

        // One waiting now gets the permit of the next second, when the clock reaches it.
        var waiting = hasher.VerifyAsync(token, stored, TestContext.Current.CancellationToken);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task TheBudgetRefillsUpToItsLimitEverySecondOfTheClockAndNeverBeyond()
    {
        var clock = new FakeTimeProvider();
        using var hasher = new Argon2idTokenHasher(Options.Create(new Argon2Options
        {
            MemoryKiB = 64, Iterations = 1, VerificationsPerSecond = 2, QueueTimeoutMilliseconds = 20,
        }), Meters, clock);
        var token = PersonalAccessTokenFormat.Generate();
        var stored = await hasher.HashAsync(token, TestContext.Current.CancellationToken);

        async Task<int> VerificationsUntilBusyAsync()
        {
            for (var done = 0; ; done++)
            {
                try
                {
                    Assert.True(await hasher.VerifyAsync(token, stored, TestContext.Current.CancellationToken));
                }
                catch (HashingBusyException)
                {
                    return done;
                }
            }
        }

        // One of the two spent: the refill tops it up to two, not three.
        Assert.True(await hasher.VerifyAsync(token, stored, TestContext.Current.CancellationToken));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, await VerificationsUntilBusyAsync());

        // Nothing is refilled before the clock's second is over, whatever the real time.
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, await VerificationsUntilBusyAsync());

        // Every second again: all of it spent, then none of it.
        clock.Advance(TimeSpan.FromMilliseconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, await VerificationsUntilBusyAsync());
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(2, await VerificationsUntilBusyAsync());
    }

    [Fact]
    public async Task AVerificationThatWaitsLongerThanTheQueueTimeoutForTheBudgetIsBusy()
    {
        var meters = NewMeters();
        using var hasher = new Argon2idTokenHasher(Options.Create(new Argon2Options
        {
            MemoryKiB = 64, Iterations = 1, VerificationsPerSecond = 1, QueueTimeoutMilliseconds = 50,
        }), meters, new FakeTimeProvider());
        var token = PersonalAccessTokenFormat.Generate();
        var stored = await hasher.HashAsync(token, TestContext.Current.CancellationToken);
        var busy = 0L;
        using var listener = Listen(meters, (name, value, _) => busy += name == "pfnstudio.tokens.argon2.busy" ? value : 0);

        // The one permit of the second is spent (and the clock stands still), so the next one waits 50 ms and is refused.
        Assert.True(await hasher.VerifyAsync(token, stored, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<HashingBusyException>(() => hasher.VerifyAsync(token, stored, TestContext.Current.CancellationToken));
        Assert.Equal(1, busy);
    }

    [Fact]
    public async Task EveryComputationIsCountedAndTimedByOperationAndEveryRefusalForCapacityIsCounted()
    {
        var meters = NewMeters();
        using var hasher = new Argon2idTokenHasher(Options.Create(new Argon2Options
        {
            MemoryKiB = 64, Iterations = 1, MaxConcurrentHashes = 1, QueueTimeoutMilliseconds = 1,
        }), meters);
        var seen = new List<string>();
        var instruments = new Dictionary<string, (string?, string?)>();
        using var listener = Listen(meters, (name, value, tags) => seen.Add($"{name} {value} {tags}"), instruments);
        var token = PersonalAccessTokenFormat.Generate();

        var stored = await hasher.HashAsync(token, TestContext.Current.CancellationToken);
        Assert.True(await hasher.VerifyAsync(token, stored, TestContext.Current.CancellationToken));
        using (await hasher.AcquireSlotAsync(TestContext.Current.CancellationToken))
        {
            await Assert.ThrowsAsync<HashingBusyException>(() => hasher.HashAsync(token, TestContext.Current.CancellationToken));
        }

        Assert.Equal(
            ["pfnstudio.tokens.argon2.computations 1 operation=hash", "pfnstudio.tokens.argon2.duration 1 operation=hash",
             "pfnstudio.tokens.argon2.computations 1 operation=verify", "pfnstudio.tokens.argon2.duration 1 operation=verify",
             "pfnstudio.tokens.argon2.busy 1 "],
            seen);
        Assert.Equal(("{computation}", "Argon2id computations run."), instruments["pfnstudio.tokens.argon2.computations"]);
        Assert.Equal(("s", "Time of one Argon2id computation, slot wait excluded."), instruments["pfnstudio.tokens.argon2.duration"]);
        Assert.Equal(("{computation}", "Computations refused because no slot became free in time."), instruments["pfnstudio.tokens.argon2.busy"]);
    }

    [Fact]
    public async Task ASlotLeaseGivesItsSlotBackOnceHoweverOftenItIsDisposed()
    {
        using var hasher = new Argon2idTokenHasher(Options.Create(new Argon2Options
        {
            MemoryKiB = 64, Iterations = 1, MaxConcurrentHashes = 1, QueueTimeoutMilliseconds = 1,
        }), Meters);

        var lease = await hasher.AcquireSlotAsync(TestContext.Current.CancellationToken);
        lease.Dispose();
        lease.Dispose();

        using (await hasher.AcquireSlotAsync(TestContext.Current.CancellationToken))
        {
            await Assert.ThrowsAsync<HashingBusyException>(() => hasher.AcquireSlotAsync(TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public void TheBusyExceptionSaysWhatToDoAndCarriesNoTokenMaterial()
    {
        Assert.Equal("Token hashing is at capacity; try again shortly.", new HashingBusyException().Message);
    }

    [Fact]
    public void OptionsAndMetersAreRequired()
    {
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new Argon2idTokenHasher(null!, Meters)).ParamName);
        Assert.Equal("meters", Assert.Throws<ArgumentNullException>(() => new Argon2idTokenHasher(Options.Create(new Argon2Options()), null!)).ParamName);
    }

    [Theory]
    [InlineData(1, 1)] // never zero slots
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(16, 15)]
    public void TheDefaultSlotCountLeavesOneProcessorAndIsAtLeastOne(int processors, int slots)
    {
        Assert.Equal(slots, Argon2idTokenHasher.DefaultSlotCount(processors));
    }

    [Fact]
    public async Task AVerificationWaitsAtMostTheQueueTimeoutForTheBudgetAndASlotTogether()
    {
        var clock = new FakeTimeProvider();
        using var hasher = new Argon2idTokenHasher(Options.Create(new Argon2Options
        {
            MemoryKiB = 64, Iterations = 1, VerificationsPerSecond = 1, MaxConcurrentHashes = 1, QueueTimeoutMilliseconds = 1_500,
        }), Meters, clock);
        var token = PersonalAccessTokenFormat.Generate();
        var stored = await hasher.HashAsync(token, TestContext.Current.CancellationToken);

        // Spend this second's permit; the next comes when the clock is moved on, 1 s (real time) into the wait.
        Assert.True(await hasher.VerifyAsync(token, stored, TestContext.Current.CancellationToken));
        using (await hasher.AcquireSlotAsync(TestContext.Current.CancellationToken))
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var verification = hasher.VerifyAsync(token, stored, TestContext.Current.CancellationToken);
            await Task.Delay(1_000, TestContext.Current.CancellationToken);
            clock.Advance(TimeSpan.FromSeconds(1));
            await Assert.ThrowsAsync<HashingBusyException>(() => verification);

            // About 1 s for the permit, then what is left of the 1.5 s for the slot: not a whole timeout more.
            Assert.InRange(started.ElapsedMilliseconds, 1_300, 2_200);
        }
    }

    [Fact]
    public async Task DisposingTheHasherEndsWaitsForTheBudgetAsBusyAndRefusesFurtherSlots()
    {
        var meters = NewMeters();
        var hasher = new Argon2idTokenHasher(Options.Create(new Argon2Options
        {
            MemoryKiB = 64, Iterations = 1, VerificationsPerSecond = 1, QueueTimeoutMilliseconds = 60_000,
        }), meters, new FakeTimeProvider());
        var busy = 0L;
        using var listener = Listen(meters, (name, value, _) => busy += name == "pfnstudio.tokens.argon2.busy" ? value : 0);
        var token = PersonalAccessTokenFormat.Generate();
        var stored = await hasher.HashAsync(token, TestContext.Current.CancellationToken);
        Assert.True(await hasher.VerifyAsync(token, stored, TestContext.Current.CancellationToken));

        // Waits for the next permit (the clock stands still); disposing the hasher ends that wait at once.
        var waiting = hasher.VerifyAsync(token, stored, TestContext.Current.CancellationToken);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        hasher.Dispose();
        await Assert.ThrowsAsync<HashingBusyException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal(1, busy);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => hasher.AcquireSlotAsync(TestContext.Current.CancellationToken));
    }

    private static IMeterFactory NewMeters() => new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    // Listens to the hasher's meter from these meters only: a duration is reported as 1 (any time), a count as it is.
    private static MeterListener Listen(
        IMeterFactory meters, Action<string, long, string> record, Dictionary<string, (string?, string?)>? instruments = null)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == Argon2idTokenHasher.MeterName && instrument.Meter.Scope == meters)
                {
                    instruments?.TryAdd(instrument.Name, (instrument.Unit, instrument.Description));
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        static string Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var text = new List<string>();
            foreach (var tag in tags)
            {
                text.Add($"{tag.Key}={tag.Value}");
            }

            return string.Join(",", text);
        }

        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => record(instrument.Name, value, Tags(tags)));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => record(instrument.Name, value >= 0 ? 1 : 0, Tags(tags)));
        listener.Start();
        return listener;
    }
}
