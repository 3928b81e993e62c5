namespace PfnStudio.Tokens.Authentication;

/// <summary>
/// Why the scheme refused a request, as an RFC 6750 §3.1 error code and a short description. Carried as the
/// authentication failure so the challenge can answer with the right status. Never holds token material.
/// </summary>
internal sealed class PersonalAccessTokenFailure(string error, string description, TimeSpan? retryAfter = null) : Exception(description)
{
    /// <summary>RFC 6750 §3.1: the request is malformed (400).</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>RFC 6750 §3.1: the token is malformed, unknown, revoked or expired (401).</summary>
    public const string InvalidToken = "invalid_token";

    /// <summary>Not an RFC 6750 code: the token could not be checked now (503, <c>Retry-After</c>).</summary>
    public const string TemporarilyUnavailable = "temporarily_unavailable";

    /// <summary>Not an RFC 6750 code: too many failed verifications from this client address just now (429, <c>Retry-After</c>).</summary>
    public const string TooManyAttempts = "too_many_attempts";

    /// <summary>Not an RFC 6750 code: the url-encoded body is too large to check for a second token (413).</summary>
    public const string BodyTooLarge = "body_too_large";

    /// <summary>The error code.</summary>
    public string Error { get; } = error;

    /// <summary>The description, safe to show the caller.</summary>
    public string Description { get; } = description;

    /// <summary>For <see cref="TooManyAttempts"/>: how long the caller should wait.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
