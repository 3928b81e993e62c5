using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>
/// Hashes and verifies tokens with Argon2id (Konscious), as PHC strings:
/// <c>$argon2id$v=19$m=19456,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;</c> with unpadded standard base64 salt and hash.
/// Verification reads the parameters from the stored string, so hashes made with other parameters still verify.
/// At most <see cref="Argon2Options.MaxConcurrentHashes"/> computations run at once; the others wait up to
/// <see cref="Argon2Options.QueueTimeoutMilliseconds"/>; verifications also draw from a global budget per second
/// (<see cref="Argon2Options.VerificationsPerSecond"/>, refilled each second on the host's clock), so a hoard of valid tokens
/// used once each cannot keep the slots busy. Each computation is counted on the meter
/// <see cref="MeterName"/>: <c>pfnstudio.tokens.argon2.computations</c> (tag <c>operation</c>: hash or verify)
/// and <c>pfnstudio.tokens.argon2.duration</c> (seconds); refusals for lack of a slot on
/// <c>pfnstudio.tokens.argon2.busy</c>.
/// </summary>
internal sealed class Argon2idTokenHasher : IDisposable
{
    private const string Algorithm = "argon2id";
    private const int Version = 19;

    // Bounds on parameters read back from a stored hash, so a corrupted row cannot make one verification
    // allocate gigabytes or loop for minutes.
    private const int MaxStoredMemoryKiB = 1_048_576;
    private const int MaxStoredIterations = 16;
    private const int MaxStoredParallelism = 16;

    /// <summary>The name of the meter carrying the hasher's instruments.</summary>
    public const string MeterName = "PfnStudio.Tokens.Argon2";

    private static readonly TimeSpan BudgetPeriod = TimeSpan.FromSeconds(1);

    private readonly Argon2Options _options;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _budget;
    private readonly ITimer _replenish;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Counter<long> _computations;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _busy;

    /// <summary>Creates a hasher from validated options, with its instruments on a meter from <paramref name="meters"/>.</summary>
    /// <param name="options">The validated <see cref="Argon2Options"/>.</param>
    /// <param name="meters">Where the hasher's meter comes from.</param>
    /// <param name="time">The clock that refills the verification budget each second (the system clock when omitted).</param>
    public Argon2idTokenHasher(IOptions<Argon2Options> options, IMeterFactory meters, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        _options = options.Value;
        SlotCount = _options.MaxConcurrentHashes > 0 ? _options.MaxConcurrentHashes : DefaultSlotCount(Environment.ProcessorCount);
        _slots = new SemaphoreSlim(SlotCount, SlotCount);
        VerificationsPerSecond = _options.VerificationsPerSecond > 0 ? _options.VerificationsPerSecond : 5 * SlotCount;
        _budget = new SemaphoreSlim(VerificationsPerSecond, VerificationsPerSecond);

        // A token bucket refilled to full each second on the TimeProvider's clock (System.Threading.RateLimiting's
        // limiters replenish on the real clock only, even through TryReplenish), by a one-shot timer armed again each
        // time: a fake clock moved on by a day refills it once, not once per second of the day.
        _replenish = (time ?? TimeProvider.System).CreateTimer(_ => ReplenishBudget(), null, BudgetPeriod, Timeout.InfiniteTimeSpan);
        var meter = meters.Create(MeterName);
        _computations = meter.CreateCounter<long>("pfnstudio.tokens.argon2.computations", "{computation}", "Argon2id computations run.");
        _duration = meter.CreateHistogram<double>("pfnstudio.tokens.argon2.duration", "s", "Time of one Argon2id computation, slot wait excluded.");
        _busy = meter.CreateCounter<long>("pfnstudio.tokens.argon2.busy", "{computation}", "Computations refused because no slot became free in time.");
    }

    /// <summary>How many Argon2 computations may run at once (the configured value, or max(1, processors − 1)).</summary>
    public int SlotCount { get; }

    /// <summary>The default number of slots on a machine with <paramref name="processors"/> processors: one fewer, at least one.</summary>
    internal static int DefaultSlotCount(int processors) => Math.Max(1, processors - 1);

    /// <summary>The global budget of verifications per second (the configured value, or 5 × <see cref="SlotCount"/>).</summary>
    public int VerificationsPerSecond { get; }

    /// <summary>Hashes <paramref name="token"/> with a fresh random salt and the configured parameters.</summary>
    /// <returns>The PHC string to store.</returns>
    /// <exception cref="HashingBusyException">No hashing slot became free within the queue timeout.</exception>
    public async Task<string> HashAsync(string token, CancellationToken cancellationToken = default)
    {
        var salt = RandomNumberGenerator.GetBytes(_options.SaltBytes);
        var parameters = new Argon2Parameters(_options.MemoryKiB, _options.Iterations, _options.Parallelism);
        var hash = await ComputeAsync(token, salt, parameters, _options.HashBytes, "hash", cancellationToken);
        return string.Create(CultureInfo.InvariantCulture,
            $"${Algorithm}$v={Version}$m={parameters.MemoryKiB},t={parameters.Iterations},p={parameters.Parallelism}${ToBase64(salt)}${ToBase64(hash)}");
    }

    /// <summary>
    /// Verifies <paramref name="token"/> against a stored PHC string, comparing hash bytes in fixed time.
    /// </summary>
    /// <returns><see langword="false"/> for a mismatch or for a stored string that is not a valid argon2id PHC string.</returns>
    /// <exception cref="HashingBusyException">No hashing slot became free within the queue timeout.</exception>
    public async Task<bool> VerifyAsync(string token, string storedHash, CancellationToken cancellationToken = default)
    {
        if (!TryParse(storedHash, out var parameters, out var salt, out var expected))
        {
            return false;
        }

        var started = Stopwatch.GetTimestamp();
        await AcquireBudgetAsync(cancellationToken);
        var left = _options.QueueTimeoutMilliseconds - (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var actual = await ComputeAsync(token, salt, parameters, expected.Length, "verify", cancellationToken, Math.Max(1, left));
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Whether a stored hash was made with parameters other than the configured ones.</summary>
    public bool NeedsRehash(string storedHash) =>
        !TryParse(storedHash, out var parameters, out _, out _)
        || parameters != new Argon2Parameters(_options.MemoryKiB, _options.Iterations, _options.Parallelism);

    /// <inheritdoc />
    public void Dispose()
    {
        _replenish.Dispose();
        _disposed.Cancel();
        _slots.Dispose();
    }

    private void ReplenishBudget()
    {
        try
        {
            // Only this timer releases, and only up to the limit: permits taken meanwhile only make room.
            var spent = VerificationsPerSecond - _budget.CurrentCount;
            if (spent > 0)
            {
                _budget.Release(spent);
            }

            _replenish.Change(BudgetPeriod, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The host is stopping.
        }
    }

    // One permit of the global verification budget, waiting at most the queue timeout.
    private async Task AcquireBudgetAsync(CancellationToken cancellationToken)
    {
        // Disposing the hasher ends every wait at once, as busy.
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        try
        {
            if (await _budget.WaitAsync(_options.QueueTimeoutMilliseconds, waiting.Token))
            {
                return;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        _busy.Add(1);
        throw new HashingBusyException();
    }

    /// <summary>
    /// Takes one Argon2 slot, waiting up to the queue timeout; dispose the lease to give it back. Every
    /// computation goes through here; tests use it to fill the slots.
    /// </summary>
    /// <exception cref="HashingBusyException">No slot became free within the queue timeout.</exception>
    internal async Task<SlotLease> AcquireSlotAsync(CancellationToken cancellationToken, int? timeoutMilliseconds = null)
    {
        if (!await _slots.WaitAsync(timeoutMilliseconds ?? _options.QueueTimeoutMilliseconds, cancellationToken))
        {
            _busy.Add(1);
            throw new HashingBusyException();
        }

        return new SlotLease(_slots);
    }

    private async Task<byte[]> ComputeAsync(
        string token, byte[] salt, Argon2Parameters parameters, int length, string operation, CancellationToken cancellationToken,
        int? slotTimeoutMilliseconds = null)
    {
        using var lease = await AcquireSlotAsync(cancellationToken, slotTimeoutMilliseconds);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var argon2 = new Argon2id(Encoding.UTF8.GetBytes(token))
            {
                Salt = salt,
                MemorySize = parameters.MemoryKiB,
                Iterations = parameters.Iterations,
                DegreeOfParallelism = parameters.Parallelism,
            };

            // GetBytesAsync, not GetBytes: the blocking call would hold a thread-pool thread for the whole hash.
            return await argon2.GetBytesAsync(length);
        }
        finally
        {
            var tag = new KeyValuePair<string, object?>("operation", operation);
            _computations.Add(1, tag);
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tag);
        }
    }

    /// <summary>One taken Argon2 slot; disposing gives it back once.</summary>
    internal sealed class SlotLease(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }

    private static bool TryParse(string phc, out Argon2Parameters parameters, out byte[] salt, out byte[] hash)
    {
        parameters = default;
        salt = hash = [];

        // "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
        var parts = phc.Split('$');
        if (parts.Length != 6 || parts[0].Length != 0 || parts[1] != Algorithm
            || parts[2] != string.Create(CultureInfo.InvariantCulture, $"v={Version}"))
        {
            return false;
        }

        int m = 0, t = 0, p = 0;
        foreach (var pair in parts[3].Split(','))
        {
            var kv = pair.Split('=');
            if (kv.Length != 2 || !int.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            switch (kv[0])
            {
                case "m": m = value; break;
                case "t": t = value; break;
                case "p": p = value; break;
                default: return false;
            }
        }

        if (p is < 1 or > MaxStoredParallelism || t is < 1 or > MaxStoredIterations || m < 8 * p || m > MaxStoredMemoryKiB
            || (salt = FromBase64(parts[4])).Length < 8
            || (hash = FromBase64(parts[5])).Length is < 16 or > 64)
        {
            return false;
        }

        parameters = new Argon2Parameters(m, t, p);
        return true;
    }

    private static string ToBase64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    // Unpadded base64 decoded; empty when it is not base64, which the callers' length checks refuse.
    private static byte[] FromBase64(string text)
    {
        var padded = text + new string('=', (4 - (text.Length % 4)) % 4);
        var bytes = new byte[padded.Length];
        _ = Convert.TryFromBase64String(padded, bytes, out var written); // written is 0 when it is not base64
        return bytes[..written];
    }

    private readonly record struct Argon2Parameters(int MemoryKiB, int Iterations, int Parallelism);
}

/// <summary>
/// Thrown when every Argon2 slot stayed busy for the whole queue timeout. The bearer scheme answers 503
/// with <c>Retry-After</c>; the issue page shows a "try again" message.
/// </summary>
internal sealed class HashingBusyException : Exception
{
    /// <summary>Creates the exception with a fixed message (it never carries token material).</summary>
    public HashingBusyException()
        : base("Token hashing is at capacity; try again shortly.")
    {
    }
}
