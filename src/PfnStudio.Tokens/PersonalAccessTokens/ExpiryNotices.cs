using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Mail;

namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>
/// Tokens about to expire: the count the avatar menu flags, and, with a mail server, one e-mail per token
/// <see cref="WarningDays"/> days before its expiry and one when it has expired. Each mail sent is an audit row of
/// the token (<see cref="AuditEventKind.ExpiryWarningSent"/>, <see cref="AuditEventKind.ExpiredNoticeSent"/>),
/// which is also how a later pass, on any host, knows it was sent. Only tokens that lived longer than the warning
/// window get a warning (a 3-day token is not warned about the day it is issued); revoked tokens and cut-off
/// owners get nothing; an expiry more than a day in the past is not mailed (a host that was down does not
/// send a backlog).
/// </summary>
internal sealed partial class ExpiryNotices(
    IServiceScopeFactory scopes, TimeProvider time, IOptions<MailOptions> mail, ILogger<ExpiryNotices> logger) : BackgroundService
{
    /// <summary>How many days before its expiry a token is flagged and its owner warned.</summary>
    public const int WarningDays = 7;

    /// <summary>How often a host looks for notices to send.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>How many of <paramref name="user"/>'s active tokens expire within <see cref="WarningDays"/> days of <paramref name="now"/>.</summary>
    public static Task<int> ExpiringSoonCountAsync(TokensDbContext db, ClaimsPrincipal user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null)
        {
            return Task.FromResult(0);
        }

        var soon = now.AddDays(WarningDays);
        return db.PersonalAccessTokens.AsNoTracking()
            .CountAsync(t => t.UserId == userId && t.RevokedAt == null && t.ExpiresAt != null && t.ExpiresAt > now && t.ExpiresAt <= soon, cancellationToken);
    }

    // One pass at a time in this process (the timer's and a caller's); PostgreSQL's advisory lock serialises hosts.
    private readonly SemaphoreSlim _pass = new(1, 1);

    /// <summary>Sends what is due now; returns how many mails were queued.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!mail.Value.IsConfigured)
        {
            return 0;
        }

        await _pass.WaitAsync(cancellationToken);
        try
        {
            return await PassAsync(cancellationToken);
        }
        finally
        {
            _pass.Release();
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _pass.Dispose();
        base.Dispose();
    }

    private async Task<int> PassAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TokensDbContext>();
        var now = time.GetUtcNow();
        var soon = now.AddDays(WarningDays);
        var lately = now.AddDays(-1);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            // One host at a time: the audit rows written below are the record of what was sent.
            var locked = await db.Database.SqlQueryRaw<bool>("SELECT pg_try_advisory_xact_lock(7316001) AS \"Value\"").SingleAsync(cancellationToken);
            if (!locked)
            {
                return 0;
            }
        }

        var due = await db.PersonalAccessTokens.AsNoTracking()
            .Where(t => t.RevokedAt == null && t.ExpiresAt != null && t.ExpiresAt <= soon && t.ExpiresAt > lately
                && t.User!.DisabledAt == null && t.User.DeletedAt == null)
            .Select(t => new { t.Id, t.UserId, t.Name, t.Prefix, t.CreatedAt, ExpiresAt = t.ExpiresAt!.Value, t.User!.Email })
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return 0;
        }

        var ids = due.Select(t => (Guid?)t.Id).ToList();
        var sent = (await db.AuditEvents.AsNoTracking()
                .Where(e => ids.Contains(e.TokenId) && (e.Kind == AuditEventKind.ExpiryWarningSent || e.Kind == AuditEventKind.ExpiredNoticeSent))
                .Select(e => new { e.TokenId, e.Kind })
                .ToListAsync(cancellationToken))
            .Select(e => (e.TokenId!.Value, e.Kind))
            .ToHashSet();

        var queued = 0;
        foreach (var token in due)
        {
            var expired = token.ExpiresAt <= now;
            var kind = expired ? AuditEventKind.ExpiredNoticeSent : AuditEventKind.ExpiryWarningSent;
            if (sent.Contains((token.Id, kind)) || string.IsNullOrEmpty(token.Email)
                || (!expired && token.ExpiresAt - token.CreatedAt <= TimeSpan.FromDays(WarningDays)))
            {
                continue;
            }

            scope.ServiceProvider.GetRequiredService<TokenMail>().SendExpiry(token.UserId, token.Email, token.Name, token.Prefix, token.ExpiresAt, expired);
            db.AuditEvents.Add(new AuditEvent
            {
                UserId = token.UserId,
                TokenId = token.Id,
                TokenPrefix = token.Prefix,
                Kind = kind,
                OccurredAt = now,
                Detail = expired ? "expiry notice mailed" : "expiry warning mailed",
            });
            queued++;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (queued > 0)
        {
            Queued(logger, queued);
        }

        return queued;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or DbUpdateException or InvalidOperationException)
            {
                // The store is unavailable: the next tick tries again; nothing was marked sent.
                Failed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 7101, EventName = "ExpiryNoticesQueued", Level = LogLevel.Information, Message = "Queued {Count} token expiry notice(s)")]
    private static partial void Queued(ILogger logger, int count);

    [LoggerMessage(EventId = 7102, EventName = "ExpiryNoticesFailed", Level = LogLevel.Warning, Message = "Could not look for token expiry notices")]
    private static partial void Failed(ILogger logger, Exception exception);
}
