using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Authentication;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Authentication;

/// <summary>
/// The bearer scheme's exact answers, each refusal class with its status, headers, challenge and problem text, and
/// what a success sets: run through the host's own authentication services on a request built here, so headers an
/// HTTP client would normalise (tabs, no-break spaces, two Authorization headers) reach the scheme as written.
/// </summary>
public sealed class BearerHandlerTests
{
    private const string Scheme = PersonalAccessTokenDefaults.AuthenticationScheme;
    private const string Realm = "Bearer realm=\"pfnstudio\"";

    /// <summary>What a caller sees of one answer.</summary>
    private sealed record Answer(int Status, string? Challenge, string? Title, string? Detail, string? RetryAfter = null, string? Connection = null);

    // What the scheme logged while authenticating the last request sent (level and message).
    private string Logged { get; set; } = string.Empty;

    private static string Challenge(string error, string description) =>
        $"{Realm}, error=\"{error}\", error_description=\"{description}\"";

    // Authenticates a request set up by `setup` with the host's services and, unless it succeeds, challenges.
    private async Task<(AuthenticateResult Result, Answer Answer, HttpContext Context)> SendAsync(TokensApplication app, Action<HttpRequest> setup)
    {
        var scope = app.Services.CreateScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.7");
        context.Request.Method = "GET";
        context.Request.Path = "/api/v1/me";
        context.Response.Body = new MemoryStream();
        setup(context.Request);

        var logged = app.Logs.Events.Count;
        var result = await context.AuthenticateAsync(Scheme);
        Logged = string.Join(" / ", app.Logs.Events.Skip(logged)
            .Where(e => e.Level >= Serilog.Events.LogEventLevel.Information && e.Properties.TryGetValue("SourceContext", out var source) && source.ToString() == "\"PfnStudio.Tokens.Authentication.PersonalAccessTokenHandler\"")
            .Select(e => $"{e.Level}: {e.RenderMessage()}"));
        if (!result.Succeeded)
        {
            await context.ChallengeAsync(Scheme);
        }

        return (result, Read(context), context);
    }

    private static Answer Read(HttpContext context)
    {
        var response = context.Response;
        string? title = null, detail = null;
        if (response.Body.Length > 0)
        {
            response.Body.Position = 0;
            using var problem = JsonDocument.Parse(response.Body);
            Assert.Equal(response.StatusCode, problem.RootElement.GetProperty("status").GetInt32());
            title = problem.RootElement.GetProperty("title").GetString();
            detail = problem.RootElement.GetProperty("detail").GetString();
        }

        static string? Header(IHeaderDictionary headers, string name) => headers.TryGetValue(name, out var value) ? value.ToString() : null;
        return new Answer(response.StatusCode, Header(response.Headers, "WWW-Authenticate"), title, detail,
            Header(response.Headers, "Retry-After"), Header(response.Headers, "Connection"));
    }

    [Fact]
    public async Task EachMalformedInputClassGetsItsExactStatusChallengeAndProblem()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("malformed@example.com");
        var token = await app.IssueTokenAsync(user.Id, "malformed");
        const string needsToken = "The Bearer scheme needs a token after it.";
        const string notWellFormed = "The token is not a well-formed PFN Studio personal access token.";
        var none = new Answer(401, Realm, "Authentication required", "Send a personal access token: Authorization: Bearer pfnstudio_pat_…");
        var malformed = new Answer(401, Challenge("invalid_token", notWellFormed), "Invalid token", notWellFormed);
        var cases = new (string Label, Action<HttpRequest> Setup, Answer Expected)[]
        {
            ("no header", _ => { }, none),
            ("another scheme", r => r.Headers.Authorization = "Basic dXNlcjpwYXNz", none),
            ("a no-break space before the scheme", r => r.Headers.Authorization = "\u00A0Bearer " + token, none),
            ("Bearer alone", r => r.Headers.Authorization = "Bearer", new Answer(400, Challenge("invalid_request", needsToken), "Invalid request", needsToken)),
            ("Bearer and OWS", r => r.Headers.Authorization = "Bearer \t ", new Answer(400, Challenge("invalid_request", needsToken), "Invalid request", needsToken)),
            ("a tab after Bearer", r => r.Headers.Authorization = "Bearer\t" + token, new Answer(400,
                Challenge("invalid_request", "Separate Bearer and the token with a space."), "Invalid request", "Separate Bearer and the token with a space.")),
            ("two headers", r => r.Headers.Authorization = new Microsoft.Extensions.Primitives.StringValues(["Bearer " + token, "Bearer " + token]), new Answer(400,
                Challenge("invalid_request", "The request has more than one Authorization header."), "Invalid request", "The request has more than one Authorization header.")),
            ("query only", r => r.QueryString = new QueryString("?access_token=" + token), new Answer(400,
                Challenge("invalid_request", "Send the token in the Authorization header (Authorization: Bearer <token>), not in the URL or form."),
                "Invalid request", "Send the token in the Authorization header (Authorization: Bearer <token>), not in the URL or form.")),
            ("header and query", r =>
            {
                r.Headers.Authorization = "Bearer " + token;
                r.QueryString = new QueryString("?access_token=x");
            }, new Answer(400, Challenge("invalid_request", "The token was sent in more than one way; send it only in the Authorization header."),
                "Invalid request", "The token was sent in more than one way; send it only in the Authorization header.")),
            ("too short", r => r.Headers.Authorization = "Bearer pfnstudio_pat_abc", malformed),
            ("a no-break space after the token", r => r.Headers.Authorization = "Bearer " + token + "\u00A0", malformed),
            ("an em space after the token", r => r.Headers.Authorization = "Bearer " + token + "\u2003", malformed),
            ("a tab between the spaces and the token", r => r.Headers.Authorization = "Bearer \t" + token, malformed),
            ("one past the length", r => r.Headers.Authorization = "Bearer " + token + "A", malformed),
            ("unknown", r => r.Headers.Authorization = "Bearer " + PersonalAccessTokenFormat.WithChecksum("pfnstudio_pat_000000000000AAAAAAAAAAAAAAAAAAAA"), new Answer(401,
                Challenge("invalid_token", "The token is unknown or has been revoked."), "Invalid token", "The token is unknown or has been revoked.")),
            ("a form body past the limit", r =>
            {
                r.Method = "POST";
                r.Headers.Authorization = "Bearer " + token;
                r.ContentType = "application/x-www-form-urlencoded";
                r.ContentLength = 16 * 1024 + 1;
                r.Body = new MemoryStream(new byte[16 * 1024 + 1]);
            }, new Answer(413, null, "Request body too large", "A url-encoded request body must be at most 16 KiB.", Connection: "close")),
            ("OWS around a valid token", r => r.Headers.Authorization = " \tBearer  " + token + "\t ", new Answer(200, null, null, null)),
        };

        var answers = new List<(string, Answer)>();
        var logs = new List<(string, string)>();
        foreach (var (label, setup, _) in cases)
        {
            var answer = (await SendAsync(app, setup)).Answer;
            answers.Add((label, answer));
            logs.Add((label, Logged));
        }

        Assert.Equal(cases.Select(c => (c.Label, c.Expected)), answers);
        // Each refusal is logged once by the scheme (reason or length and the client address, never the token).
        static string NotAuthenticated(string failure) => $"Information: \"PersonalAccessToken\" was not authenticated. Failure message: \"{failure}\"";
        (string, string)[] expectedLogs =
        [
            ("no header", ""),
            ("another scheme", ""),
            ("a no-break space before the scheme", ""),
            ("Bearer alone", "Information: Bearer request refused as malformed from \"192.0.2.7\": \"The Bearer scheme needs a token after it.\" / " + NotAuthenticated("The Bearer scheme needs a token after it.")),
            ("Bearer and OWS", "Information: Bearer request refused as malformed from \"192.0.2.7\": \"The Bearer scheme needs a token after it.\" / " + NotAuthenticated("The Bearer scheme needs a token after it.")),
            ("a tab after Bearer", "Information: Bearer request refused as malformed from \"192.0.2.7\": \"Separate Bearer and the token with a space.\" / " + NotAuthenticated("Separate Bearer and the token with a space.")),
            ("two headers", "Information: Bearer request refused as malformed from \"192.0.2.7\": \"The request has more than one Authorization header.\" / " + NotAuthenticated("The request has more than one Authorization header.")),
            ("query only", "Information: Bearer request refused as malformed from \"192.0.2.7\": \"Send the token in the Authorization header (Authorization: Bearer <token>), not in the URL or form.\" / " + NotAuthenticated("Send the token in the Authorization header (Authorization: Bearer <token>), not in the URL or form.")),
            ("header and query", "Information: Bearer request refused as malformed from \"192.0.2.7\": \"The token was sent in more than one way; send it only in the Authorization header.\" / " + NotAuthenticated("The token was sent in more than one way; send it only in the Authorization header.")),
            ("too short", "Information: Bearer token refused as not a personal access token (17 characters) from \"192.0.2.7\" / " + NotAuthenticated(notWellFormed)),
            ("a no-break space after the token", "Information: Bearer token refused as not a personal access token (53 characters) from \"192.0.2.7\" / " + NotAuthenticated(notWellFormed)),
            ("an em space after the token", "Information: Bearer token refused as not a personal access token (53 characters) from \"192.0.2.7\" / " + NotAuthenticated(notWellFormed)),
            ("a tab between the spaces and the token", "Information: Bearer token refused as not a personal access token (53 characters) from \"192.0.2.7\" / " + NotAuthenticated(notWellFormed)),
            ("one past the length", "Information: Bearer token refused as not a personal access token (53 characters) from \"192.0.2.7\" / " + NotAuthenticated(notWellFormed)),
            ("unknown", "Information: Bearer token with prefix \"000000000000\" refused (unknown, wrong secret or revoked) from \"192.0.2.7\" / " + NotAuthenticated("The token is unknown or has been revoked.")),
            ("a form body past the limit", "Information: Bearer request refused as malformed from \"192.0.2.7\": \"A url-encoded request body must be at most 16 KiB.\" / " + NotAuthenticated("A url-encoded request body must be at most 16 KiB.")),
            ("OWS around a valid token", ""),
        ];
        Assert.Equal(expectedLogs, logs);
    }

    [Fact]
    public async Task ARequestWithoutAKnownClientAddressIsLoggedAsFromAnUnknownOne()
    {
        await using var app = new TokensApplication();

        var (_, answer, _) = await SendAsync(app, r =>
        {
            r.HttpContext.Connection.RemoteIpAddress = null;
            r.Headers.Authorization = "Bearer pfnstudio_pat_abc";
        });

        Assert.Equal(401, answer.Status);
        Assert.StartsWith("Information: Bearer token refused as not a personal access token (17 characters) from \"unknown\" / ", Logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExpiredTokenIsToldWhenItExpiredAndAValidOneCarriesItsExpiryHeader()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("expiry@example.com");
        var token = await app.IssueTokenAsync(user.Id, "expiring", expiresInDays: 7);
        var expiresAt = await app.WithDbAsync(db => db.PersonalAccessTokens.Select(t => t.ExpiresAt).SingleAsync());
        var stamp = expiresAt!.Value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

        var (valid, answer, context) = await SendAsync(app, r => r.Headers.Authorization = "Bearer " + token);
        Assert.True(valid.Succeeded);
        Assert.Equal(new Answer(200, null, null, null), answer);
        Assert.Equal(stamp, context.Response.Headers["PfnStudio-Token-Expires"].ToString());

        app.Clock.Advance(TimeSpan.FromDays(8));
        var (_, expired, _) = await SendAsync(app, r => r.Headers.Authorization = "Bearer " + token);

        Assert.Equal(new Answer(401, Challenge("invalid_token", $"The token expired at {stamp}."), "Invalid token", $"The token expired at {stamp}."), expired);
        Assert.StartsWith($"Information: Bearer token with prefix \"{token[14..26]}\" refused as expired from \"192.0.2.7\" / ", Logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASuccessSetsTheTokenFeatureAndAPrincipalWithTheTokensClaimsAndNoExpiryHeaderForANeverExpiringToken()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("claims@example.com");
        var token = await app.IssueTokenAsync(user.Id, "claims");
        var row = await app.WithDbAsync(db => db.PersonalAccessTokens.SingleAsync());

        var (result, answer, context) = await SendAsync(app, r => r.Headers.Authorization = "Bearer " + token);

        Assert.True(result.Succeeded);
        Assert.Equal(new Answer(200, null, null, null), answer);
        Assert.False(context.Response.Headers.ContainsKey("PfnStudio-Token-Expires"));
        var feature = context.Features.Get<IPersonalAccessTokenFeature>();
        Assert.NotNull(feature);
        Assert.Equal((row.Id, row.Prefix, "claims", user.Id), (feature.Token.Id, feature.Token.Prefix, feature.Token.Name, feature.Token.UserId));
        Assert.Equal(Scheme, result.Ticket!.AuthenticationScheme);
        var identity = Assert.IsType<ClaimsIdentity>(result.Principal!.Identity);
        Assert.Equal((Scheme, ClaimTypes.Name, ClaimTypes.Role, "claims@example.com"), (identity.AuthenticationType, identity.NameClaimType, identity.RoleClaimType, identity.Name));
        Assert.Equal(
            new[]
            {
                (ClaimTypes.NameIdentifier, user.Id), (PersonalAccessTokenClaimTypes.TokenId, row.Id.ToString()),
                (PersonalAccessTokenClaimTypes.TokenPrefix, row.Prefix), (PersonalAccessTokenClaimTypes.TokenName, "claims"),
                (ClaimTypes.Name, "claims@example.com"),
            }.Concat(row.Scopes.Select(s => ("scope", s))).Order(),
            identity.Claims.Select(c => (c.Type, c.Value)).Order());
        Assert.All(identity.Claims, c => Assert.Equal((Scheme, ClaimValueTypes.String), (c.Issuer, c.ValueType)));
    }

    [Fact]
    public async Task TheValidatedEventCanRejectATokenOrAddToItsPrincipal()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("events@example.com");
        var token = await app.IssueTokenAsync(user.Id, "events", expiresInDays: 7);
        var events = app.Services.GetRequiredService<IOptionsMonitor<PersonalAccessTokenOptions>>().Get(Scheme).Events;
        var original = events.OnTokenValidated;
        try
        {
            events.OnTokenValidated = c =>
            {
                Assert.Equal(user.Id, c.Token.UserId);
                c.Fail(new PersonalAccessTokenFailure(PersonalAccessTokenFailure.InvalidToken, "Refused by a hook."));
                return Task.CompletedTask;
            };
            var (refused, answer, context) = await SendAsync(app, r => r.Headers.Authorization = "Bearer " + token);

            Assert.False(refused.Succeeded);
            Assert.Equal(new Answer(401, Challenge("invalid_token", "Refused by a hook."), "Invalid token", "Refused by a hook."), answer);
            Assert.Null(context.Features.Get<IPersonalAccessTokenFeature>());
            Assert.False(context.Response.Headers.ContainsKey("PfnStudio-Token-Expires"));

            events.OnTokenValidated = c =>
            {
                ((ClaimsIdentity)c.Principal!.Identity!).AddClaim(new Claim("added", "yes"));
                return Task.CompletedTask;
            };
            var (accepted, _, _) = await SendAsync(app, r => r.Headers.Authorization = "Bearer " + token);

            Assert.True(accepted.Succeeded);
            Assert.Equal("yes", accepted.Principal!.FindFirst("added")?.Value);
        }
        finally
        {
            events.OnTokenValidated = original;
        }
    }

    [Fact]
    public async Task ADisabledOwnersTokenIsToldSo()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("disabled@example.com");
        var token = await app.IssueTokenAsync(user.Id, "disabled");
        await app.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisabledAt, app.Clock.GetUtcNow())));

        var (_, answer, _) = await SendAsync(app, r => r.Headers.Authorization = "Bearer " + token);

        Assert.Equal(new Answer(401, Challenge("invalid_token", "The token's owner account is disabled."), "Invalid token", "The token's owner account is disabled."), answer);
        Assert.StartsWith($"Information: Bearer token with prefix \"{token[14..26]}\" refused: its owner's account is disabled; from \"192.0.2.7\" / ", Logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutArgon2CapacityOrWithoutTheStoreTheAnswerIs503WithRetryAfterAndNoChallenge()
    {
        await using var app = new TokensApplication
        {
            Settings = new Dictionary<string, string> { ["Argon2:MaxConcurrentHashes"] = "1", ["Argon2:QueueTimeoutMilliseconds"] = "20" },
        };
        var user = await app.CreateUserAsync("busy@example.com");
        var token = await app.IssueTokenAsync(user.Id, "busy");
        var hasher = app.Services.GetRequiredService<Argon2idTokenHasher>();

        using (await hasher.AcquireSlotAsync(TestContext.Current.CancellationToken))
        {
            var (_, busy, _) = await SendAsync(app, r => r.Headers.Authorization = "Bearer " + token);
            Assert.Equal(new Answer(503, null, "Service unavailable", "Token verification is at capacity; retry shortly.", "5"), busy);
            Assert.StartsWith($"Warning: Bearer token with prefix \"{token[14..26]}\" not verified: Argon2 at capacity / ", Logged, StringComparison.Ordinal);
        }

        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(TokensApplication.IsPostgres ? "DROP TABLE \"PersonalAccessTokens\" CASCADE" : "DROP TABLE \"PersonalAccessTokens\""));
        var (_, down, _) = await SendAsync(app, r => r.Headers.Authorization = "Bearer " + token);

        Assert.Equal(new Answer(503, null, "Service unavailable", "The token store is unavailable; retry shortly.", "5"), down);
        Assert.StartsWith($"Error: Bearer token with prefix \"{token[14..26]}\" not verified: the token store is unavailable / ", Logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AThrottledAddressIsToldToWaitTheWholeSecondsLeft()
    {
        await using var app = new TokensApplication { Settings = new Dictionary<string, string> { ["HotPath:ClientFailureLimit"] = "3" } };
        var user = await app.CreateUserAsync("throttled@example.com");
        var token = await app.IssueTokenAsync(user.Id, "throttled");
        for (var i = 1; i <= 3; i++)
        {
            var (_, refused, _) = await SendAsync(app, r => r.Headers.Authorization = "Bearer " + token.WithWrongSecret(i));
            Assert.Equal(401, refused.Status);
        }

        app.Clock.Advance(TimeSpan.FromMilliseconds(300));
        var (result, answer, _) = await SendAsync(app, r => r.Headers.Authorization = "Bearer " + token.WithWrongSecret(4));

        var wait = Assert.IsType<PersonalAccessTokenFailure>(result.Failure).RetryAfter!.Value;
        Assert.NotEqual(0, wait.TotalSeconds % 1); // a fraction of a second is rounded up, never down
        Assert.Equal(
            new Answer(429, null, "Too many attempts", "Too many failed token verifications from your address just now; retry later.",
                ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            answer);
        Assert.StartsWith($"Information: Bearer token with prefix \"{token[14..26]}\" refused unchecked (429): too many failed verifications from \"192.0.2.7\" / ", Logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AForbiddenRequestNamesThePermissionItNeedsAndTheScopesTheTokenHas()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("forbidden@example.com");
        var token = await app.IssueTokenAsync(user.Id, "forbidden");
        await app.WithDbAsync(async db =>
        {
            var row = await db.PersonalAccessTokens.SingleAsync();
            row.Scopes = ["read", "predict"];
            return await db.SaveChangesAsync();
        });

        async Task<Answer> ForbidAsync(string? header, string? needed)
        {
            var (_, _, context) = await SendAsync(app, r =>
            {
                if (header is not null)
                {
                    r.Headers.Authorization = header;
                }
            });
            context.Response.Body = new MemoryStream();
            var properties = new AuthenticationProperties();
            if (needed is not null)
            {
                properties.Items[PersonalAccessTokenDefaults.NeededScopeItem] = needed;
            }

            await context.ForbidAsync(Scheme, properties);
            return Read(context);
        }

        const string needsPush = "This route needs the push permission; this token has read, predict.";
        Assert.Equal(
            new Answer(403, $"{Realm}, error=\"insufficient_scope\", error_description=\"{needsPush}\", scope=\"push\"", "Insufficient scope", needsPush),
            await ForbidAsync("Bearer " + token, "push"));
        const string noScope = "The token does not have the scope this route needs.";
        Assert.Equal(
            new Answer(403, $"{Realm}, error=\"insufficient_scope\", error_description=\"{noScope}\"", "Insufficient scope", noScope),
            await ForbidAsync("Bearer " + token, null));
        const string hasNone = "This route needs the push permission; this token has none.";
        Assert.Equal(
            new Answer(403, $"{Realm}, error=\"insufficient_scope\", error_description=\"{hasNone}\", scope=\"push\"", "Insufficient scope", hasNone),
            await ForbidAsync(null, "push"));
    }

    [Fact]
    public async Task TheSchemeAndItsPoliciesAreRegisteredUnderTheirNames()
    {
        await using var app = new TokensApplication();

        var scheme = await app.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(Scheme);
        Assert.Equal(("Personal access token", typeof(PersonalAccessTokenHandler)), (scheme?.DisplayName, scheme?.HandlerType));

        var policies = app.Services.GetRequiredService<IAuthorizationPolicyProvider>();
        var any = await policies.GetPolicyAsync(PersonalAccessTokenDefaults.AuthorizationPolicy);
        Assert.Equal([Scheme], any!.AuthenticationSchemes);
        Assert.IsType<Microsoft.AspNetCore.Authorization.Infrastructure.DenyAnonymousAuthorizationRequirement>(Assert.Single(any.Requirements));
        foreach (var permission in PersonalAccessTokenScopes.Permissions)
        {
            var policy = await policies.GetPolicyAsync("PersonalAccessToken:" + permission);
            Assert.Equal([Scheme], policy!.AuthenticationSchemes);
            Assert.Equal(new PermissionRequirement(permission), policy.Requirements.OfType<PermissionRequirement>().Single());
            Assert.Single(policy.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.DenyAnonymousAuthorizationRequirement>());
        }

        Assert.Contains(app.Services.GetServices<IAuthorizationHandler>(), h => h is PermissionAuthorizationHandler);
        Assert.IsType<InsufficientScopeResultHandler>(app.Services.GetRequiredService<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler>());
    }
}
