using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;

namespace PfnStudio.Tokens.Accounts;

/// <summary>
/// Settings of the wrong-password throttle, bound from the <c>SignInThrottle</c> section and validated at start.
/// </summary>
internal sealed class SignInThrottleOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "SignInThrottle";

    /// <summary>Wrong passwords one client address (an IPv6 /64) may send per <see cref="AddressWindowSeconds"/>. Default 10.</summary>
    [Range(1, 10_000)]
    public int AddressFailureLimit { get; set; } = 10;

    /// <summary>The window of <see cref="AddressFailureLimit"/>, in seconds. Default 300.</summary>
    [Range(1, 86_400)]
    public int AddressWindowSeconds { get; set; } = 300;

    /// <summary>
    /// Wrong passwords for one e-mail address, from all client addresses together, per
    /// <see cref="AccountWindowSeconds"/> before the account counts as under attack. Default 20.
    /// </summary>
    [Range(1, 10_000)]
    public int AccountFailureLimit { get; set; } = 20;

    /// <summary>The window of <see cref="AccountFailureLimit"/>, in seconds. Default 60.</summary>
    [Range(1, 3_600)]
    public int AccountWindowSeconds { get; set; } = 60;

    /// <summary>"Forgot password?" requests one client address (an IPv6 /64) may send per <see cref="ResetRequestWindowSeconds"/>. Default 5.</summary>
    [Range(1, 10_000)]
    public int ResetRequestLimit { get; set; } = 5;

    /// <summary>The window of <see cref="ResetRequestLimit"/>, in seconds. Default 900.</summary>
    [Range(1, 86_400)]
    public int ResetRequestWindowSeconds { get; set; } = 900;

    /// <summary>Reset links mailed to one account per <see cref="ResetMailWindowSeconds"/>, however many addresses ask. Default 3.</summary>
    [Range(1, 1_000)]
    public int ResetMailLimit { get; set; } = 3;

    /// <summary>The window of <see cref="ResetMailLimit"/>, in seconds. Default 3600.</summary>
    [Range(1, 86_400)]
    public int ResetMailWindowSeconds { get; set; } = 3_600;
}

/// <summary>
/// Counts wrong passwords on the framework's rate limiter, in two fixed windows: per client address (keyed as the
/// token path keys it, <see cref="ClientFailureLimiter.KeyOf"/>: an IPv6 address counts as its /64) and per e-mail
/// address as typed (normalised; an e-mail without an account is counted exactly like one with, so the answers never
/// tell which exist). Only failures take permits; a correct password takes none.
/// <list type="bullet">
/// <item>An address that used up its failures is refused without a password check until its window ends (429).</item>
/// <item>An account that used up its failures is <em>under attack</em>: until its short window ends, only addresses
/// with no failures in their own window get a password check. The owner, signing in from their usual network, still
/// gets in with the right password; each attacking address gets one guess per account window instead of its full
/// allowance. Nothing is written to the account: no lockout, and tokens are never touched.</item>
/// </list>
/// "Forgot password?" is throttled the same way: requests per client address (429 beyond), and reset links per
/// account (beyond, the answer is the same but no mail goes out, so nobody can flood an inbox).
/// Counts are kept in memory per host; several hosts each count on their own.
/// </summary>
internal sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _addresses;
    private readonly PartitionedRateLimiter<string> _accounts;
    private readonly PartitionedRateLimiter<string> _resetRequests;
    private readonly PartitionedRateLimiter<string> _resetMails;
    private readonly int _addressLimit;

    public SignInThrottle(IOptions<SignInThrottleOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _addressLimit = o.AddressFailureLimit;
        _addresses = Windows(o.AddressFailureLimit, o.AddressWindowSeconds);
        _accounts = Windows(o.AccountFailureLimit, o.AccountWindowSeconds);
        _resetRequests = Windows(o.ResetRequestLimit, o.ResetRequestWindowSeconds);
        _resetMails = Windows(o.ResetMailLimit, o.ResetMailWindowSeconds);
    }

    /// <summary>
    /// Counts a "Forgot password?" request from <paramref name="client"/>: <see langword="false"/> (with
    /// <paramref name="retryAfter"/>) when the address has used up its requests.
    /// </summary>
    public bool MayRequestReset(string client, out TimeSpan retryAfter)
    {
        using var lease = _resetRequests.AttemptAcquire(ClientFailureLimiter.KeyOf(client), 1);
        retryAfter = lease.IsAcquired ? TimeSpan.Zero : RetryAfter(lease);
        return lease.IsAcquired;
    }

    /// <summary>Counts a reset link for <paramref name="email"/>: <see langword="false"/> when the account has had its share.</summary>
    public bool MayMailReset(string email)
    {
        using var lease = _resetMails.AttemptAcquire(AccountKey(email), 1);
        return lease.IsAcquired;
    }

    /// <summary>
    /// Whether a password check may run for <paramref name="email"/> from <paramref name="client"/>; when not,
    /// <paramref name="retryAfter"/> is when to try again and <paramref name="addressThrottled"/> says whether the
    /// address (rather than the account's attack) is the reason.
    /// </summary>
    public bool MayCheck(string client, string email, out TimeSpan retryAfter, out bool addressThrottled)
    {
        var address = ClientFailureLimiter.KeyOf(client);
        using (var lease = _addresses.AttemptAcquire(address, 0))
        {
            if (!lease.IsAcquired)
            {
                retryAfter = RetryAfter(lease);
                addressThrottled = true;
                return false;
            }
        }

        addressThrottled = false;
        retryAfter = TimeSpan.Zero;
        using (var lease = _accounts.AttemptAcquire(AccountKey(email), 0))
        {
            // Under attack: an address that has failed in its window waits for the account's window to end.
            if (!lease.IsAcquired && _addresses.GetStatistics(address)?.CurrentAvailablePermits < _addressLimit)
            {
                retryAfter = RetryAfter(lease);
                return false;
            }
        }

        return true;
    }

    /// <summary>Counts a wrong password for <paramref name="email"/> from <paramref name="client"/>.</summary>
    public void CountFailure(string client, string email)
    {
        _addresses.AttemptAcquire(ClientFailureLimiter.KeyOf(client), 1).Dispose();
        _accounts.AttemptAcquire(AccountKey(email), 1).Dispose();
    }

    public void Dispose()
    {
        _addresses.Dispose();
        _accounts.Dispose();
        _resetRequests.Dispose();
        _resetMails.Dispose();
    }

    private static string AccountKey(string email) => AccountEmail.Normalize(email) ?? string.Empty;

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.FromSeconds(1) ? after : TimeSpan.FromSeconds(1);

    private static PartitionedRateLimiter<string> Windows(int limit, int seconds) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit,
                Window = TimeSpan.FromSeconds(seconds),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
}
