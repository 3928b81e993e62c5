using System.Data.Common;
using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Infrastructure;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;

namespace PfnStudio.Tokens.Authentication;

/// <summary>
/// The personal access token bearer scheme (DESIGN.md "Bearer authentication"). Malformed input is refused
/// before any store or Argon2 work; challenges follow RFC 6750 §3 and never echo the token.
/// </summary>
internal sealed class PersonalAccessTokenHandler(
    IOptionsMonitor<PersonalAccessTokenOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder)
    : AuthenticationHandler<PersonalAccessTokenOptions>(options, logger, encoder)
{
    private new PersonalAccessTokenEvents Events => (PersonalAccessTokenEvents)base.Events!;

    protected override Task<object> CreateEventsAsync() => Task.FromResult<object>(new PersonalAccessTokenEvents());

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var credential = await BearerCredential.ParseAsync(Request);
        if (credential.Kind == BearerCredentialKind.None)
        {
            return AuthenticateResult.NoResult();
        }

        if (credential.Kind == BearerCredentialKind.BodyTooLarge)
        {
            PersonalAccessTokenLog.MalformedRequest(Logger, credential.Description, ClientAddress);
            return Fail(PersonalAccessTokenFailure.BodyTooLarge, credential.Description);
        }

        if (credential.Kind == BearerCredentialKind.InvalidRequest)
        {
            PersonalAccessTokenLog.MalformedRequest(Logger, credential.Description, ClientAddress);
            return Fail(PersonalAccessTokenFailure.InvalidRequest, credential.Description);
        }

        if (!PersonalAccessTokenFormat.TryGetPrefix(credential.Token, out var prefix))
        {
            PersonalAccessTokenLog.MalformedToken(Logger, credential.Token.Length, ClientAddress);
            return Fail(PersonalAccessTokenFailure.InvalidToken, "The token is not a well-formed PFN Studio personal access token.");
        }

        TokenValidationResult result;
        try
        {
            var validator = Context.RequestServices.GetRequiredService<PersonalAccessTokenValidator>();
            result = await validator.ValidateAsync(credential.Token, prefix, ClientAddress, Context.RequestAborted);
        }
        catch (HashingBusyException)
        {
            PersonalAccessTokenLog.HashingBusy(Logger, prefix);
            return Fail(PersonalAccessTokenFailure.TemporarilyUnavailable, "Token verification is at capacity; retry shortly.");
        }
        catch (DbException ex)
        {
            // Never accept a token unchecked: with the store down, the answer is 503, not 200 and not 401.
            PersonalAccessTokenLog.StoreUnavailable(Logger, ex, prefix);
            return Fail(PersonalAccessTokenFailure.TemporarilyUnavailable, "The token store is unavailable; retry shortly.");
        }

        switch (result.Status)
        {
            case TokenValidationStatus.Expired:
                PersonalAccessTokenLog.Expired(Logger, prefix, ClientAddress);
                return Fail(PersonalAccessTokenFailure.InvalidToken, string.Create(CultureInfo.InvariantCulture,
                    $"The token expired at {result.Token!.ExpiresAt:yyyy-MM-ddTHH:mm:ssZ}."));
            case TokenValidationStatus.OwnerDisabled:
                // Said only to a caller that presented the correct token: it tells them why their job stopped.
                PersonalAccessTokenLog.OwnerDisabled(Logger, prefix, ClientAddress);
                return Fail(PersonalAccessTokenFailure.InvalidToken, "The token's owner account is disabled.");
            case TokenValidationStatus.Invalid:
                // Unknown, wrong secret and revoked read the same, so the answer does not tell which prefixes exist.
                PersonalAccessTokenLog.Refused(Logger, prefix, ClientAddress);
                return Fail(PersonalAccessTokenFailure.InvalidToken, "The token is unknown or has been revoked.");
            case TokenValidationStatus.Throttled:
                // 429, not 401: the token was not checked at all, and retrying later may succeed.
                PersonalAccessTokenLog.Throttled(Logger, prefix, ClientAddress);
                return AuthenticateResult.Fail(new PersonalAccessTokenFailure(
                    PersonalAccessTokenFailure.TooManyAttempts,
                    "Too many failed token verifications from your address just now; retry later.",
                    result.RetryAfter));
        }

        var token = result.Token!;
        var validated = new PersonalAccessTokenValidatedContext(Context, Scheme, Options, CreatePrincipal(token), token);
        await Events.TokenValidated(validated);
        if (validated.Result is not null)
        {
            return validated.Result;
        }

        if (token.ExpiresAt is { } expiresAt)
        {
            Response.Headers[PersonalAccessTokenDefaults.ExpiresHeader] =
                expiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        }

        Context.Features.Set<IPersonalAccessTokenFeature>(new PersonalAccessTokenFeature(token));
        validated.Success();
        return validated.Result!;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure as PersonalAccessTokenFailure;
        if (failure?.Error == PersonalAccessTokenFailure.TemporarilyUnavailable)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = Options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await WriteProblemAsync("Service unavailable", failure.Description);
            return;
        }

        if (failure?.Error == PersonalAccessTokenFailure.BodyTooLarge)
        {
            // The body was never read; the connection is closed after this answer rather than drained.
            Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            Response.Headers.Connection = "close";
            await WriteProblemAsync("Request body too large", failure.Description);
            return;
        }

        if (failure?.Error == PersonalAccessTokenFailure.TooManyAttempts)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            var seconds = (int)Math.Ceiling((failure.RetryAfter ?? TimeSpan.FromSeconds(Options.RetryAfterSeconds)).TotalSeconds);
            Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await WriteProblemAsync("Too many attempts", failure.Description);
            return;
        }

        // RFC 6750 §3.1: invalid_request is a 400; everything else that fails authentication is a 401.
        Response.StatusCode = failure?.Error == PersonalAccessTokenFailure.InvalidRequest
            ? StatusCodes.Status400BadRequest
            : StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = PersonalAccessTokenDefaults.Challenge(Options.Realm, failure?.Error, failure?.Description);
        await WriteProblemAsync(
            failure is null ? "Authentication required" : failure.Error == PersonalAccessTokenFailure.InvalidRequest ? "Invalid request" : "Invalid token",
            failure?.Description ?? "Send a personal access token: Authorization: Bearer pfnstudio_pat_…");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        // RFC 6750 §3: the scope attribute names the permission the route needs.
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var needed = properties.Items.TryGetValue(PersonalAccessTokenDefaults.NeededScopeItem, out var scope) ? scope : null;
        var has = Context.Features.Get<IPersonalAccessTokenFeature>()?.Token.Scopes is { } scopes
            ? PersonalAccessTokenScopes.Phrase(scopes) : null;
        var description = needed is null
            ? "The token does not have the scope this route needs."
            : $"This route needs the {needed} permission; this token has {(string.IsNullOrEmpty(has) ? "none" : has)}.";
        Response.Headers.WWWAuthenticate = PersonalAccessTokenDefaults.Challenge(Options.Realm, "insufficient_scope", description, needed);
        await WriteProblemAsync("Insufficient scope", description);
    }

    private Task WriteProblemAsync(string title, string detail) => ProblemResponses.WriteAsync(Context, title, detail);

    private ClaimsPrincipal CreatePrincipal(AuthenticatedToken token)
    {
        // Built on every request: sized once, no LINQ.
        var claims = new List<Claim>(5 + token.Scopes.Count)
        {
            new(ClaimTypes.NameIdentifier, token.UserId, ClaimValueTypes.String, ClaimsIssuer),
            new(PersonalAccessTokenClaimTypes.TokenId, token.Id.ToString(), ClaimValueTypes.String, ClaimsIssuer),
            new(PersonalAccessTokenClaimTypes.TokenPrefix, token.Prefix, ClaimValueTypes.String, ClaimsIssuer),
            new(PersonalAccessTokenClaimTypes.TokenName, token.Name, ClaimValueTypes.String, ClaimsIssuer),
        };
        if (token.UserName is not null)
        {
            claims.Add(new Claim(ClaimTypes.Name, token.UserName, ClaimValueTypes.String, ClaimsIssuer));
        }

        foreach (var scope in token.Scopes)
        {
            claims.Add(new Claim(PersonalAccessTokenClaimTypes.Scope, scope, ClaimValueTypes.String, ClaimsIssuer));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name, ClaimTypes.Name, ClaimTypes.Role));
    }

    private string ClientAddress => Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static AuthenticateResult Fail(string error, string description) =>
        AuthenticateResult.Fail(new PersonalAccessTokenFailure(error, description));
}
