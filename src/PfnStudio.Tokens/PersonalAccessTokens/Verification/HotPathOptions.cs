using System.ComponentModel.DataAnnotations;

namespace PfnStudio.Tokens.PersonalAccessTokens.Verification;

/// <summary>
/// Settings of the bearer hot path, bound from the <c>HotPath</c> configuration section and validated at
/// start: how many verified tokens are remembered, how long a failed verification is remembered, when a client
/// address sending wrong tokens is throttled, and how often "last used" instants are written to the store.
/// </summary>
internal sealed class HotPathOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "HotPath";

    /// <summary>Most presented tokens remembered as verified (about 200 bytes each). Default 50,000.</summary>
    [Range(1, 10_000_000)]
    public int VerifiedTokenCapacity { get; set; } = 50_000;

    /// <summary>Minutes a verified token stays remembered without being presented. Default 60.</summary>
    [Range(1, 24 * 60)]
    public int VerifiedTokenIdleMinutes { get; set; } = 60;

    /// <summary>Most failed verifications remembered (about 100 bytes each). Default 10,000.</summary>
    [Range(1, 1_000_000)]
    public int FailedVerificationCapacity { get; set; } = 10_000;

    /// <summary>Seconds a failed verification is remembered, so the same wrong token costs no second Argon2 run. Default 60.</summary>
    [Range(1, 3_600)]
    public int FailedVerificationSeconds { get; set; } = 60;

    /// <summary>
    /// Argon2 verifications from one client address that may fail (running ones count until they succeed) within
    /// <see cref="ClientFailureWindowSeconds"/>; past it, tokens from that address not already verified in this
    /// process get 429 instead of an Argon2 run. Behind a reverse proxy, forward the client address
    /// (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c> and the proxy in <c>ForwardedHeaders:KnownProxies</c>), or every
    /// caller shares the proxy's. Default 10.
    /// </summary>
    [Range(1, 10_000)]
    public int ClientFailureLimit { get; set; } = 10;

    /// <summary>The window of <see cref="ClientFailureLimit"/>, in seconds. Default 60.</summary>
    [Range(1, 3_600)]
    public int ClientFailureWindowSeconds { get; set; } = 60;

    /// <summary>
    /// Milliseconds a refusal made from memory waits before it is sent: a token that failed moments ago, or a
    /// throttled client address. A client that repeats wrong tokens on its connections is slowed to a trickle at the cost
    /// of a timer, not of CPU that valid callers need. 0 sends at once (tests). Default 500.
    /// </summary>
    [Range(0, 10_000)]
    public int RefusalDelayMilliseconds { get; set; } = 500;

    /// <summary>
    /// PostgreSQL: revocation reads running at once (each one statement for every request that joined it); a request
    /// arriving while they run joins the next one. 1 measured best on 2 cores with the server on the same machine
    /// (bench/README.md): fewer, larger statements leave more CPU to requests. Raise it for a remote server with a
    /// long round trip. Default 1.
    /// </summary>
    [Range(1, 64)]
    public int BatchedReadsInFlight { get; set; } = 1;

    /// <summary>Seconds between writes of "last used" instants to the store (one batch per interval). Default 60.</summary>
    [Range(1, 3_600)]
    public int LastUsedFlushSeconds { get; set; } = 60;
}
