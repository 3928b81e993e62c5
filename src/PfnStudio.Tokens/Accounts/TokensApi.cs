using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.Authentication;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Accounts;

/// <summary>
/// The token API, <c>/api/v1/tokens</c>, authenticated by a token: list the caller's own tokens (never a secret),
/// revoke one of them, and rotate the presented token. Issuing a brand-new token stays a browser (sudo mode) or
/// operator action. Permissions (DESIGN.md "Scopes and resource owners"): listing and acting on the presented token
/// itself need only a valid token, like <c>/api/v1/me</c>; revoking <em>another</em> of the owner's tokens needs full
/// access (<c>pat</c>), so a leaked CI token limited to one project cannot switch off its owner's other tokens.
/// </summary>
internal static class TokensApi
{
    /// <summary>The <c>state</c> filter's values, and the <c>state</c> of each listed token.</summary>
    public const string Active = "active", Expired = "expired", Revoked = "revoked";

    /// <summary>The request header naming a rotation for retries (draft-ietf-httpapi-idempotency-key-header).</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The response header set on a replayed rotation's answer.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>Longest accepted <c>Idempotency-Key</c>, in characters.</summary>
    public const int MaxIdempotencyKeyLength = 255;

    /// <summary>Largest rotate body read, in bytes.</summary>
    public const int MaxRotateBodyBytes = 1024;

    /// <summary>Maps the three routes under the bearer policy, tagged <c>Tokens</c>.</summary>
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder routes)
    {
        var tokens = routes.MapGroup("/api/v1/tokens").WithTags("Tokens");
        tokens.MapGet("", ListAsync)
            .RequireAuthorization(PersonalAccessTokenDefaults.AuthorizationPolicy)
            .WithName("ListTokens")
            .WithSummary("The caller's own tokens, newest first, with their state; never a token's secret. Any valid token may list; `state` filters by active, expired or revoked.");
        tokens.MapDelete("/{id}", RevokeAsync)
            .RequireAuthorization(PersonalAccessTokenDefaults.AuthorizationPolicy)
            .WithName("RevokeToken")
            .WithSummary("Revokes one of the caller's own tokens. Any valid token may revoke itself; revoking another needs a full-access (`pat`) token. Another user's or an unknown id answers 404; an already revoked own token answers 200 with its row unchanged.");

        // The retry of a rotation presents the token that rotation revoked, which the scheme refuses: the route
        // authenticates with the scheme (so its challenge stays the scheme's) but decides itself (AllowAnonymous),
        // answering a replay only to the revoked token's holder with that rotation's key.
        tokens.MapPost("/self/rotate", RotateAsync)
            .RequireAuthorization(PersonalAccessTokenDefaults.AuthorizationPolicy)
            .AllowAnonymous()
            .WithName("RotateOwnToken")
            .WithSummary("Revokes the presented token and returns its successor once: same name and access, a new secret, expiring in `expires_in_days` (never longer than the old token's own lifetime; null or absent: the same lifetime). Send an `Idempotency-Key` to make retries return the same successor for 15 minutes.")
            .AddOpenApiOperationTransformer(OpenApiExtensions.JsonRequestBody(
                "Optional. `{\"expires_in_days\": N}` (1 to the old token's lifetime, at most 3650) or `{\"expires_in_days\": null}`; no body means null.",
                "expires_in_days"))
            .AddOpenApiOperationTransformer(OpenApiExtensions.HeaderParameter(
                IdempotencyKeyHeader, $"Optional. 1–{MaxIdempotencyKeyLength} visible ASCII characters, e.g. a UUID; a retry with the same key, token and body returns the same successor (header `{ReplayedHeader}: true`)."));
        return routes;
    }

    /// <summary>The caller's own tokens, newest first, with their state; never a token's secret. Any valid token may list; `state` filters by active, expired or revoked.</summary>
    /// <remarks><c>GET /api/v1/tokens[?state=active|expired|revoked]</c>; the XML summary is the OpenAPI summary.</remarks>
    internal static async Task<Results<Ok<TokenList>, ValidationProblem>> ListAsync(
        HttpContext context, TokensDbContext db, PersonalAccessTokenService service, TimeProvider time, string? state, CancellationToken cancellationToken)
    {
        NoStore(context);
        var userId = context.Features.GetRequiredFeature<IPersonalAccessTokenFeature>().Token.UserId;
        var now = time.GetUtcNow();
        if (context.Request.Query["state"].Count > 1)
        {
            return ApiProblems.Invalid("state", "Send state at most once: active, expired or revoked.");
        }

        var query = db.PersonalAccessTokens.AsNoTracking().Where(t => t.UserId == userId);
        switch (state?.Trim())
        {
            case null or "":
                break;
            case Active:
                query = query.Where(t => t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now));
                break;
            case Expired:
                query = query.Where(t => t.RevokedAt == null && t.ExpiresAt != null && t.ExpiresAt <= now);
                break;
            case Revoked:
                query = query.Where(t => t.RevokedAt != null);
                break;
            default:
                return ApiProblems.Invalid("state", $"state must be {Active}, {Expired} or {Revoked} (or absent for all), not \"{TokenAccessRules.Shorten(state)}\".");
        }

        var rows = await query.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Name).ToListAsync(cancellationToken);
        var names = await service.NamesAsync(rows, cancellationToken);
        return TypedResults.Ok(new TokenList { Items = rows.ConvertAll(t => TokenItem.From(PersonalAccessTokenSummary.From(t, names), now)) });
    }

    /// <summary>Revokes one of the caller's own tokens. Any valid token may revoke itself; revoking another needs a full-access (`pat`) token. Another user's or an unknown id answers 404; an already revoked own token answers 200 with its row unchanged.</summary>
    /// <remarks><c>DELETE /api/v1/tokens/{id}</c>.</remarks>
    internal static async Task<Results<Ok<TokenItem>, ProblemHttpResult, ValidationProblem, ForbidHttpResult>> RevokeAsync(
        HttpContext context, string id, TokensDbContext db, PersonalAccessTokenService service, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = context.Features.GetRequiredFeature<IPersonalAccessTokenFeature>().Token;
        if (!Guid.TryParse(id, out var tokenId))
        {
            return ApiProblems.Invalid("id", "id must be a token id (a UUID, as GET /api/v1/tokens lists it).");
        }

        // Another user's token and a missing id are the same 404: the answer must not tell which ids exist.
        var row = await db.PersonalAccessTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tokenId && t.UserId == caller.UserId, cancellationToken);
        if (row is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Token not found",
                detail: "You have no token with this id (GET /api/v1/tokens lists yours).");
        }

        if (row.Id != caller.Id && !caller.Access.IsFullAccess)
        {
            // 403 insufficient_scope naming pat: only a full-access token may switch off its owner's other tokens.
            var properties = new AuthenticationProperties();
            properties.Items[PersonalAccessTokenDefaults.NeededScopeItem] = PersonalAccessTokenScopes.Pat;
            return TypedResults.Forbid(properties, [PersonalAccessTokenDefaults.AuthenticationScheme]);
        }

        if (row.RevokedAt is null)
        {
            // A concurrent revoke may win; either way the token is revoked now, and its row is answered.
            await service.RevokeAsync(caller.UserId, tokenId, RevocationDetails.ThroughApi(caller.Prefix), cancellationToken);
            row = await db.PersonalAccessTokens.AsNoTracking().FirstAsync(t => t.Id == tokenId, cancellationToken);
        }

        var names = await service.NamesAsync([row], cancellationToken);
        return TypedResults.Ok(TokenItem.From(PersonalAccessTokenSummary.From(row, names), time.GetUtcNow()));
    }

    /// <summary>Revokes the presented token and returns its successor once: same name and access, a new secret, expiring in `expires_in_days` (never longer than the old token's own lifetime; null or absent: the same lifetime). Send an `Idempotency-Key` to make retries return the same successor for 15 minutes.</summary>
    /// <remarks><c>POST /api/v1/tokens/self/rotate</c>.</remarks>
    internal static async Task<Results<Ok<RotatedToken>, ValidationProblem, ProblemHttpResult, ChallengeHttpResult>> RotateAsync(
        HttpContext context, TokenLifecycleService lifecycle, CancellationToken cancellationToken)
    {
        NoStore(context);
        var authenticated = await context.AuthenticateAsync(PersonalAccessTokenDefaults.AuthenticationScheme);
        var keys = context.Request.Headers[IdempotencyKeyHeader];
        string? key = null;
        if (keys.Count > 1)
        {
            return ApiProblems.Invalid(IdempotencyKeyHeader, "Send one Idempotency-Key header.");
        }

        if (keys.Count == 1)
        {
            key = keys[0] ?? string.Empty;
            if (key.Length is 0 or > MaxIdempotencyKeyLength || key.Any(c => c is < '!' or > '~'))
            {
                return ApiProblems.Invalid(IdempotencyKeyHeader,
                    $"Idempotency-Key must be 1 to {MaxIdempotencyKeyLength} visible ASCII characters (a UUID is a good key).");
            }
        }

        var feature = context.Features.Get<IPersonalAccessTokenFeature>();
        if (!authenticated.Succeeded || feature is null)
        {
            // Only a token refused as invalid (revoked: perhaps by the rotation being retried) may be answered by a
            // replay; a missing, malformed, throttled or unchecked one gets the scheme's own answer.
            if (key is not null
                && (authenticated.Failure as PersonalAccessTokenFailure)?.Error == PersonalAccessTokenFailure.InvalidToken
                && await BearerCredential.ParseAsync(context.Request) is { Kind: BearerCredentialKind.Token } credential
                && PersonalAccessTokenFormat.TryGetPrefix(credential.Token, out var prefix))
            {
                var body = await ReadExpiresInDaysAsync(context.Request, cancellationToken);
                if (body.Problem is null
                    && await lifecycle.ReplayAsync(credential.Token, prefix, body.Days, key, cancellationToken) is { } replayed)
                {
                    return Answer(context, replayed);
                }
            }

            return TypedResults.Challenge(null, [PersonalAccessTokenDefaults.AuthenticationScheme]);
        }

        var read = await ReadExpiresInDaysAsync(context.Request, cancellationToken);
        if (read.Problem is not null)
        {
            return read.Problem;
        }

        var presented = await BearerCredential.ParseAsync(context.Request);
        RotateTokenResult result;
        try
        {
            result = await lifecycle.RotateAsync(feature.Token, presented.Token, read.Days, key, cancellationToken);
        }
        catch (HashingBusyException)
        {
            context.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable",
                detail: "Token hashing is at capacity; nothing was changed. Retry shortly (with the same Idempotency-Key).");
        }

        return Answer(context, result);
    }

    private static Results<Ok<RotatedToken>, ValidationProblem, ProblemHttpResult, ChallengeHttpResult> Answer(HttpContext context, RotateTokenResult result)
    {
        switch (result.Outcome)
        {
            case RotateOutcome.Rotated or RotateOutcome.Replayed:
                if (result.Outcome == RotateOutcome.Replayed)
                {
                    context.Response.Headers[ReplayedHeader] = "true";
                }

                var token = result.Token!;
                if (token.ExpiresAt is { } expiresAt)
                {
                    context.Response.Headers[PersonalAccessTokenDefaults.ExpiresHeader] =
                        expiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
                }

                return TypedResults.Ok(new RotatedToken { Token = result.Plaintext!, Item = TokenItem.From(token, token.CreatedAt) });
            case RotateOutcome.Invalid:
                return ApiProblems.Invalid("expires_in_days", result.Message!);
            case RotateOutcome.AccessGone:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The token's access can no longer be granted",
                    detail: result.Message + " Nothing was changed.");
            case RotateOutcome.KeyReused:
                // draft-ietf-httpapi-idempotency-key-header §2.7: a key reused with another request is 422.
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                    detail: "This Idempotency-Key was already used for another rotation (another token or another expires_in_days); send a new key. Nothing was changed.");
            default:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Token already rotated or revoked",
                    detail: "Another request revoked or rotated this token at the same moment, and this one changed nothing. Use the token that request returned; "
                        + "send an Idempotency-Key so that a retry returns the same token.");
        }
    }

    // The body: none, JSON null, or {"expires_in_days": N | null}; anything else is a 400 (415 for another type).
    private static async Task<(int? Days, ProblemHttpResult? Problem)> ReadExpiresInDaysAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var bytes = await BoundedBody.ReadAsync(request, MaxRotateBodyBytes, cancellationToken);
        if (bytes is null)
        {
            return (null, Problem(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The rotate body must be at most {MaxRotateBodyBytes} bytes."));
        }

        if (bytes.Length == 0)
        {
            return (null, null);
        }

        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Send the rotate body as application/json: {\"expires_in_days\": N} or no body."));
        }

        const string shape = "The body must be {\"expires_in_days\": N} with N a whole number of days, {\"expires_in_days\": null}, or empty.";
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Null)
            {
                return (null, null);
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, Problem(StatusCodes.Status400BadRequest, "The request is invalid", shape));
            }

            int? days = null;
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name != "expires_in_days")
                {
                    return (null, Problem(StatusCodes.Status400BadRequest, "The request is invalid",
                        $"Unknown member \"{TokenAccessRules.Shorten(property.Name)}\". {shape}"));
                }

                if (property.Value.ValueKind == JsonValueKind.Null)
                {
                    days = null;
                }
                else if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var n))
                {
                    // Out-of-range values (0, negative, too long) are refused with the token's own limit by the rotation.
                    days = n;
                }
                else
                {
                    return (null, Problem(StatusCodes.Status400BadRequest, "The request is invalid",
                        "expires_in_days must be a whole number of days or null."));
                }
            }

            return (days, null);
        }
        catch (JsonException)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "The request is invalid", "The body is not valid JSON. " + shape));
        }
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    // Every answer here may hold a token's value (rotate) or the list of a person's tokens: never cached.
    private static void NoStore(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
    }
}

/// <summary>The body of <c>GET /api/v1/tokens</c>.</summary>
internal sealed class TokenList
{
    /// <summary>The caller's tokens, newest first.</summary>
    public required IReadOnlyList<TokenItem> Items { get; init; }
}

/// <summary>A token as the token API shows it: never its hash or secret.</summary>
internal sealed class TokenItem
{
    /// <summary>Its id, as <c>DELETE /api/v1/tokens/{id}</c> takes it.</summary>
    public required Guid Id { get; init; }

    /// <summary>The owner's name for it.</summary>
    public required string Name { get; init; }

    /// <summary>The 12-character public prefix (without <c>pfnstudio_pat_</c>).</summary>
    public required string Prefix { get; init; }

    /// <summary>The prefix as tables show it: <c>pfnstudio_pat_AbC123xYz789…</c>.</summary>
    public required string DisplayPrefix { get; init; }

    /// <summary>Granted scopes: <c>["pat"]</c> for full access, else permissions.</summary>
    public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary><c>full</c> or <c>fine-grained</c>.</summary>
    public required string Access { get; init; }

    /// <summary>A fine-grained token's organization slug; null for full access.</summary>
    public required string? Organization { get; init; }

    /// <summary>The project slugs a fine-grained token is limited to; null for all (or full access).</summary>
    public required IReadOnlyList<string>? Projects { get; init; }

    /// <summary>Issue instant (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Expiry instant (UTC), or null for never.</summary>
    public required DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Last successful use (UTC, written up to a minute late), or null.</summary>
    public required DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>Revocation instant (UTC), or null.</summary>
    public required DateTimeOffset? RevokedAt { get; init; }

    /// <summary><c>active</c>, <c>expired</c> or <c>revoked</c> (revoked wins over expired).</summary>
    public required string State { get; init; }

    /// <summary>The row of <paramref name="t"/> as of <paramref name="now"/>.</summary>
    public static TokenItem From(PersonalAccessTokenSummary t, DateTimeOffset now) => new()
    {
        Id = t.Id,
        Name = t.Name,
        Prefix = t.Prefix,
        DisplayPrefix = t.DisplayPrefix,
        Scopes = t.Scopes,
        Access = t.Access.IsFullAccess ? "full" : "fine-grained",
        Organization = t.Access.OrganizationSlug,
        Projects = t.Access.IsFullAccess || t.Access.ProjectIds.Count == 0 ? null : t.Access.ProjectSlugs,
        CreatedAt = t.CreatedAt,
        ExpiresAt = t.ExpiresAt,
        LastUsedAt = t.LastUsedAt,
        RevokedAt = t.RevokedAt,
        State = t.RevokedAt is not null ? TokensApi.Revoked : t.IsActiveAt(now) ? TokensApi.Active : TokensApi.Expired,
    };
}

/// <summary>The body of a rotation: the new token, shown in this answer only, and its row.</summary>
internal sealed class RotatedToken
{
    /// <summary>The new token's value (<c>pfnstudio_pat_…</c>). Store it now: it is never shown again (except to a retry with the same Idempotency-Key, for 15 minutes).</summary>
    public required string Token { get; init; }

    /// <summary>The new token's row.</summary>
    public required TokenItem Item { get; init; }
}
