using System.Threading.Channels;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;

namespace PfnStudio.Tokens.PersonalAccessTokens.LeakReports;

/// <summary>
/// Acts on leaked-token reports after their answer has gone: the endpoint only queues a report, so its answer is the
/// same — status, body and timing — whether the strings were real tokens or not, and the report cannot be used to
/// test tokens. One report at a time, in arrival order: for each well-formed string, the row is read by prefix and
/// the whole string proven with the hot path's own check (<see cref="PersonalAccessTokenValidator.FindActiveAsync"/>:
/// SHA-256 in fixed time, no Argon2 for fakes); an active token it proves is revoked through
/// <see cref="PersonalAccessTokenService.RevokeAsync(string, Guid, string, CancellationToken)"/> with
/// <see cref="RevocationDetails.ReportedLeaked"/>, and a <see cref="AuditEventKind.LeakReported"/> row holding the URL is
/// written in the same transaction (the owner's page shows it as a red notice and in Recent activity). Then
/// <see cref="NotifyOwnerOfLeakAsync"/> tells the owner. Revoked, expired, unknown and wrong strings change nothing.
/// </summary>
/// <remarks>
/// The queue is in memory and bounded (<see cref="LeakedTokenReportOptions.QueueCapacity"/> reports); a full queue makes
/// the endpoint answer 503 with Retry-After. Reports still queued when the host stops are lost, and a scanner that
/// sends again loses nothing: a token revoked once is not active any more.
/// </remarks>
internal sealed partial class LeakedTokenResponder(
    IServiceScopeFactory scopes,
    PersonalAccessTokenValidator validator,
    IOptions<LeakedTokenReportOptions> options,
    TimeProvider time,
    ILogger<LeakedTokenResponder> logger) : BackgroundService
{
    private readonly Channel<Queued> _queue = Channel.CreateBounded<Queued>(
        new BoundedChannelOptions(options.Value.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private Task _lastQueued = Task.CompletedTask;

    /// <summary>Queues <paramref name="report"/>; <see langword="false"/> when the queue is full (nothing is kept).</summary>
    public bool TryQueue(LeakedTokenReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var queued = new Queued(report, time.GetUtcNow(), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_queue)
        {
            if (!_queue.Writer.TryWrite(queued))
            {
                return false;
            }

            _lastQueued = queued.Done.Task;
        }

        return true;
    }

    /// <summary>Completes when every report queued so far has been acted on (reports are handled in order).</summary>
    public Task WhenQueuedReportsHandledAsync()
    {
        lock (_queue)
        {
            return _lastQueued;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var queued in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await HandleAsync(queued, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A store fault leaves the rest of this report undone; the next report is tried afresh.
                    LeakedTokenLog.ReportFailed(logger, ex, queued.Report.Candidates.Count);
                }
                finally
                {
                    queued.Done.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task HandleAsync(Queued queued, CancellationToken cancellationToken)
    {
        var report = queued.Report;
        var revoked = 0;
        foreach (var (token, prefix) in report.Candidates)
        {
            ActiveTokenMatch? match;
            try
            {
                match = await validator.FindActiveAsync(token, prefix, cancellationToken);
            }
            catch (HashingBusyException)
            {
                // Only a row without SHA-256 needs Argon2; at capacity it stays as it is, as it would for a request.
                LeakedTokenLog.ArgonBusy(logger, prefix);
                continue;
            }

            if (match is not null && await RevokeAsync(match, report.Url, queued.ReceivedAt, cancellationToken))
            {
                revoked++;
                await NotifyOwnerOfLeakAsync(match, report.Url, queued.ReceivedAt, cancellationToken);
            }
        }

        LeakedTokenLog.ReportHandled(logger, report.Strings, report.Candidates.Count, revoked);
    }

    // The "where it was found" row and the revoke, in one transaction: either the owner sees both or neither.
    private async Task<bool> RevokeAsync(ActiveTokenMatch match, string url, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TokensDbContext>();
        var tokens = scope.ServiceProvider.GetRequiredService<PersonalAccessTokenService>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.AuditEvents.Add(new AuditEvent
        {
            UserId = match.UserId,
            TokenId = match.Id,
            TokenPrefix = match.Prefix,
            Kind = AuditEventKind.LeakReported,
            OccurredAt = receivedAt,
            Detail = url,
        });

        // The revoke saves the row above with its own; a token revoked meanwhile by anyone else saves neither.
        if (await tokens.RevokeAsync(match.UserId, match.Id, RevocationDetails.ReportedLeaked, cancellationToken) is null)
        {
            return false;
        }

        await transaction.CommitAsync(cancellationToken);
        LeakedTokenLog.Revoked(logger, match.Id, match.Prefix, match.UserId);
        return true;
    }

    /// <summary>
    /// Tells the owner that their token <paramref name="token"/> was found at <paramref name="url"/> and revoked: the red
    /// notice on their <c>/api-tokens</c> page and the audit row (written before this is called), and a mail
    /// (<see cref="TokenMail.SendLeakedAsync"/>; queued, so it never fails or slows the revoke, which is committed).
    /// </summary>
    private async Task NotifyOwnerOfLeakAsync(ActiveTokenMatch token, string url, DateTimeOffset foundAt, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TokensDbContext>();
        await scope.ServiceProvider.GetRequiredService<TokenMail>().SendLeakedAsync(db, token.UserId, token.Name, token.Prefix, url, foundAt, cancellationToken);
        LeakedTokenLog.OwnerNotified(logger, token.Id, token.UserId, foundAt, url.Length);
    }

    private sealed record Queued(LeakedTokenReport Report, DateTimeOffset ReceivedAt, TaskCompletionSource Done);
}

/// <summary>Structured log events of leaked-token reports: prefixes and ids only, never a token or the URL.</summary>
internal static partial class LeakedTokenLog
{
    [LoggerMessage(EventId = 1201, EventName = "LeakedTokenRevoked", Level = LogLevel.Warning,
        Message = "Revoked token {TokenId} ({TokenPrefix}) of user {UserId}: a leaked-token report presented it")]
    public static partial void Revoked(ILogger logger, Guid tokenId, string tokenPrefix, string userId);

    [LoggerMessage(EventId = 1202, EventName = "LeakedTokenReportHandled", Level = LogLevel.Information,
        Message = "Leaked-token report handled: {StringCount} strings, {CandidateCount} well-formed, {RevokedCount} revoked")]
    public static partial void ReportHandled(ILogger logger, int stringCount, int candidateCount, int revokedCount);

    [LoggerMessage(EventId = 1203, EventName = "LeakedTokenReportFailed", Level = LogLevel.Error,
        Message = "A leaked-token report of {CandidateCount} well-formed strings could not be handled to the end")]
    public static partial void ReportFailed(ILogger logger, Exception exception, int candidateCount);

    [LoggerMessage(EventId = 1204, EventName = "LeakedTokenArgonBusy", Level = LogLevel.Warning,
        Message = "A reported string with prefix {TokenPrefix} was not checked: Argon2 at capacity")]
    public static partial void ArgonBusy(ILogger logger, string tokenPrefix);

    [LoggerMessage(EventId = 1206, EventName = "LeakedTokenOwnerNotified", Level = LogLevel.Debug,
        Message = "Owner {UserId} of token {TokenId} is told on the tokens page and by mail (found {FoundAt:o}, URL of {UrlLength} characters)")]
    public static partial void OwnerNotified(ILogger logger, Guid tokenId, string userId, DateTimeOffset foundAt, int urlLength);

    [LoggerMessage(EventId = 1205, EventName = "LeakedTokenQueueFull", Level = LogLevel.Warning,
        Message = "A leaked-token report was refused: the queue is full")]
    public static partial void QueueFull(ILogger logger);
}
