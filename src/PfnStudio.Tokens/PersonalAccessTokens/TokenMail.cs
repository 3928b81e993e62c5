using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Mail;

namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>
/// Mail about a person's tokens, to the address stored on their account: a token issued or regenerated, a token
/// reported leaked (and revoked), a token expiring within 7 days, a token expired. Never the token itself: its name
/// and display prefix. Queued (<see cref="MailOutbox"/>); without a mail server each is written to the log. A disabled
/// or deleted account gets none.
/// </summary>
internal sealed class TokenMail(MailOutbox outbox, IOptions<MailOptions> options, TimeProvider time)
{
    /// <summary>A token was issued (page, operator) or regenerated.</summary>
    /// <param name="db">Where the owner's address is read.</param>
    /// <param name="userId">The owner.</param>
    /// <param name="token">The new token's summary.</param>
    /// <param name="how">"issued" or "regenerated".</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task SendIssuedAsync(TokensDbContext db, string userId, PersonalAccessTokenSummary token, string how, CancellationToken cancellationToken)
    {
        if (await AddressAsync(db, userId, cancellationToken) is not { } to)
        {
            return;
        }

        outbox.Enqueue(new OutgoingMail(userId, to, $"A new PFN Studio API token: {token.Name}",
            $"""
            An API token was {how} for your PFN Studio account {to} at {Instant(time.GetUtcNow())}:

              Name:    {token.Name}
              Token:   {PersonalAccessTokenFormat.Display(token.Prefix)}
              Access:  {token.Access.Describe()}
              Expires: {(token.ExpiresAt is { } at ? Instant(at) : "never")}

            If this was not you, revoke it at {Page()} and change your password.
            """, "token_" + how));
    }

    /// <summary>A token of the owner's was found in public, reported, and revoked.</summary>
    public async Task SendLeakedAsync(TokensDbContext db, string userId, string name, string prefix, string url, DateTimeOffset foundAt, CancellationToken cancellationToken)
    {
        if (await AddressAsync(db, userId, cancellationToken) is not { } to)
        {
            return;
        }

        outbox.Enqueue(new OutgoingMail(userId, to, $"Your PFN Studio API token \u201c{name}\u201d was found in public and revoked",
            $"""
            A secret scanner reported your API token "{name}" ({PersonalAccessTokenFormat.Display(prefix)}) at {Instant(foundAt)},
            found here:
              {url}

            The token is revoked: anything using it now gets 401. Remove it from where it was found (and from that
            history), then issue a new one at {Page()} and keep it in a secret store, not in code.
            """, "token_leaked"));
    }

    /// <summary>The owner's token expires within 7 days (<paramref name="expired"/> false) or has expired.</summary>
    public void SendExpiry(string userId, string to, string name, string prefix, DateTimeOffset expiresAt, bool expired)
    {
        var display = PersonalAccessTokenFormat.Display(prefix);
        var when = Instant(expiresAt);
        outbox.Enqueue(expired
            ? new OutgoingMail(userId, to, $"Your PFN Studio API token \u201c{name}\u201d has expired",
                $"""
                Your API token "{name}" ({display}) expired at {when}. Anything still using it now gets 401.

                Regenerate it (same name and scopes, a new secret) or issue a new one at {Page()}.
                """, "token_expired")
            : new OutgoingMail(userId, to, $"Your PFN Studio API token \u201c{name}\u201d expires soon",
                $"""
                Your API token "{name}" ({display}) expires at {when}, in {Math.Max(1, (int)Math.Ceiling((expiresAt - time.GetUtcNow()).TotalDays))} day(s).

                To keep what uses it working, regenerate it (same name and scopes, a new secret) at {Page()}
                and put the new token where the old one is, or let it expire if nothing needs it.
                """, "token_expiring"));
    }

    private static async Task<string?> AddressAsync(TokensDbContext db, string userId, CancellationToken cancellationToken) =>
        await db.Users.AsNoTracking()
            .Where(u => u.Id == userId && u.DisabledAt == null && u.DeletedAt == null)
            .Select(u => u.Email)
            .FirstOrDefaultAsync(cancellationToken) is { Length: > 0 } email ? email : null;

    private string Page() => (options.Value.PublicUrl?.GetLeftPart(UriPartial.Authority) ?? string.Empty) + "/api-tokens";

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
