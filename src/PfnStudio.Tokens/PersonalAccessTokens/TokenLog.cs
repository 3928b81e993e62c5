namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>
/// Token events as structured log messages with stable event ids. They carry a token's id and prefix,
/// never the token (STYLE.md habit 10).
/// </summary>
internal static partial class TokenLog
{
    [LoggerMessage(EventId = 1001, EventName = "TokenIssued", Level = LogLevel.Information,
        Message = "Issued personal access token {TokenId} (prefix {TokenPrefix}) for user {UserId}, expires {ExpiresAt}")]
    public static partial void Issued(ILogger logger, Guid tokenId, string tokenPrefix, string userId, DateTimeOffset? expiresAt);

    [LoggerMessage(EventId = 1002, EventName = "TokenRevoked", Level = LogLevel.Information,
        Message = "Revoked personal access token {TokenId} (prefix {TokenPrefix}) of user {UserId}")]
    public static partial void Revoked(ILogger logger, Guid tokenId, string tokenPrefix, string userId);

    [LoggerMessage(EventId = 1003, EventName = "TokenLastUsedFlushed", Level = LogLevel.Debug,
        Message = "Wrote last-used instants of {TokenCount} personal access tokens")]
    public static partial void LastUsedFlushed(ILogger logger, int tokenCount);

    [LoggerMessage(EventId = 1004, EventName = "TokenLastUsedFlushFailed", Level = LogLevel.Warning,
        Message = "Could not write last-used instants of {TokenCount} personal access tokens; kept for the next batch")]
    public static partial void LastUsedFlushFailed(ILogger logger, Exception exception, int tokenCount);

    [LoggerMessage(EventId = 1010, EventName = "TokenRenamed", Level = LogLevel.Information,
        Message = "Renamed personal access token {TokenId} (prefix {TokenPrefix}) of user {UserId}")]
    public static partial void Renamed(ILogger logger, Guid tokenId, string tokenPrefix, string userId);

    [LoggerMessage(EventId = 1011, EventName = "TokenReplaced", Level = LogLevel.Information,
        Message = "Replaced personal access token {TokenId} (prefix {TokenPrefix}) by {SuccessorId} (prefix {SuccessorPrefix}) for user {UserId}")]
    public static partial void Replaced(ILogger logger, Guid tokenId, string tokenPrefix, Guid successorId, string successorPrefix, string userId);

    [LoggerMessage(EventId = 1012, EventName = "TokenRotationReplayed", Level = LogLevel.Information,
        Message = "Answered a retried rotation of personal access token {TokenId} again with {SuccessorId} (prefix {SuccessorPrefix}) for user {UserId}")]
    public static partial void RotationReplayed(ILogger logger, Guid tokenId, Guid successorId, string successorPrefix, string userId);
}
