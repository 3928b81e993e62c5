namespace PfnStudio.Tokens.Authentication;

/// <summary>The scheme's log events. They name a prefix or a length, never a token.</summary>
internal static partial class PersonalAccessTokenLog
{
    [LoggerMessage(EventId = 2001, EventName = "BearerMalformedRequest", Level = LogLevel.Information,
        Message = "Bearer request refused as malformed from {ClientAddress}: {Reason}")]
    public static partial void MalformedRequest(ILogger logger, string reason, string clientAddress);

    [LoggerMessage(EventId = 2002, EventName = "BearerMalformedToken", Level = LogLevel.Information,
        Message = "Bearer token refused as not a personal access token ({TokenLength} characters) from {ClientAddress}")]
    public static partial void MalformedToken(ILogger logger, int tokenLength, string clientAddress);

    [LoggerMessage(EventId = 2003, EventName = "BearerTokenRefused", Level = LogLevel.Information,
        Message = "Bearer token with prefix {TokenPrefix} refused (unknown, wrong secret or revoked) from {ClientAddress}")]
    public static partial void Refused(ILogger logger, string tokenPrefix, string clientAddress);

    [LoggerMessage(EventId = 2004, EventName = "BearerTokenExpired", Level = LogLevel.Information,
        Message = "Bearer token with prefix {TokenPrefix} refused as expired from {ClientAddress}")]
    public static partial void Expired(ILogger logger, string tokenPrefix, string clientAddress);

    [LoggerMessage(EventId = 2008, EventName = "BearerTokenOwnerDisabled", Level = LogLevel.Information,
        Message = "Bearer token with prefix {TokenPrefix} refused: its owner's account is disabled; from {ClientAddress}")]
    public static partial void OwnerDisabled(ILogger logger, string tokenPrefix, string clientAddress);

    [LoggerMessage(EventId = 2005, EventName = "BearerHashingBusy", Level = LogLevel.Warning,
        Message = "Bearer token with prefix {TokenPrefix} not verified: Argon2 at capacity")]
    public static partial void HashingBusy(ILogger logger, string tokenPrefix);

    [LoggerMessage(EventId = 2006, EventName = "BearerStoreUnavailable", Level = LogLevel.Error,
        Message = "Bearer token with prefix {TokenPrefix} not verified: the token store is unavailable")]
    public static partial void StoreUnavailable(ILogger logger, Exception exception, string tokenPrefix);

    [LoggerMessage(EventId = 2007, EventName = "BearerClientThrottled", Level = LogLevel.Information,
        Message = "Bearer token with prefix {TokenPrefix} refused unchecked (429): too many failed verifications from {ClientAddress}")]
    public static partial void Throttled(ILogger logger, string tokenPrefix, string clientAddress);
}
