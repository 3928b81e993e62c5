using System.Diagnostics;
using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using PfnStudio.Tokens.Accounts;
using PfnStudio.Tokens.Authentication;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;
using PfnStudio.Tokens.Organizations;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;

namespace PfnStudio.Tokens.Bench;

/// <summary>
/// The benchmark host: the product's services and middleware in the product's order (Program.cs), plus a
/// JwtBearer scheme with a symmetric key as the stateless peer, three trivial endpoints that differ only in
/// their authentication, and set-up endpoints for the driver. Listens on loopback only (the driver sets
/// ASPNETCORE_URLS). <c>Bench:DummyTokens</c> rows are inserted at start, all sharing one real Argon2id hash.
/// </summary>
internal static class BenchHost
{
    private const string JwtPolicy = "BenchJwt";
    private const string BenchUser = "bench@example.com";
    private const string BenchOrganization = "bench";

    public static async Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var signingKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));

        builder.AddLogging();
        builder.AddTokensData();
        builder.AddAccounts();
        builder.Services.AddPersonalAccessTokens();
        builder.Services.AddOrganizations();
        builder.Services.AddAuthentication()
            .AddPersonalAccessToken()
            .AddJwtBearer(options => options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = "pfnstudio-bench",
                ValidAudience = "pfnstudio-bench",
                IssuerSigningKey = signingKey,
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPersonalAccessTokenPolicy()
            .AddPolicy(JwtPolicy, policy => policy
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireClaim(PersonalAccessTokenClaimTypes.Scope, PersonalAccessTokenScopes.Pat));
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<Argon2Meter>();

        var app = builder.Build();
        await app.MigrateDatabaseAsync();
        var userId = await SeedAsync(app, app.Configuration.GetValue("Bench:DummyTokens", 0));
        app.Services.GetRequiredService<Argon2Meter>().Start();

        // The product's pipeline (Program.cs) without pages and static files.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSecurityHeaders();
        app.UseRequestLogging(PersonalAccessTokenClaimTypes.TokenPrefix);
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();

        // The same trivial endpoint three times; only authentication differs.
        app.MapGet("/bench/anonymous", () => TypedResults.Text("ok")).AllowAnonymous();
        app.MapGet("/bench/jwt", () => TypedResults.Text("ok")).RequireAuthorization(JwtPolicy);
        // As a product route: the permission policy (full access grants it), checked on every request.
        app.MapGet("/bench/pat", () => TypedResults.Text("ok")).RequireAuthorization(PersonalAccessTokenDefaults.PolicyFor(PersonalAccessTokenScopes.Read));

        app.MapGet("/bench/jwt-token", () => TypedResults.Text(new JwtSecurityTokenHandler().WriteToken(new JwtSecurityToken(
            issuer: "pfnstudio-bench",
            audience: "pfnstudio-bench",
            claims: [new Claim("sub", userId), new Claim(PersonalAccessTokenClaimTypes.Scope, PersonalAccessTokenScopes.Pat)],
            expires: DateTime.UtcNow.AddDays(1),
            signingCredentials: new SigningCredentials(signingKey, SecurityAlgorithms.HmacSha256)))));

        // Issues a real token (production Argon2 cost) through the product's service.
        app.MapPost("/bench/tokens", async (string name, PersonalAccessTokenService tokens) =>
        {
            // Fine-grained (one organization, all its projects, every permission): the per-request work of the
            // PAT scenarios is that of such a token, which is the one a CI job should carry.
            var issued = await tokens.IssueAsync(userId, name, null, new TokenAccessRequest(
                TokenAccessRequest.FineGrainedValue, BenchOrganization, TokenAccessRequest.AllProjectsValue, null,
                PersonalAccessTokenScopes.Permissions.ToList<string?>()), null);
            return issued.Succeeded
                ? Results.Ok(new { id = issued.Token!.Id, prefix = issued.Token.Prefix, token = issued.Plaintext })
                : Results.BadRequest(issued.Errors);
        });

        // Revokes through the product's service, as the tokens page does.
        app.MapPost("/bench/tokens/{id:guid}/revoke", async (Guid id, PersonalAccessTokenService tokens) =>
            await tokens.RevokeAsync(userId, id) is null ? Results.NotFound() : Results.NoContent());

        // Well-formed wrong tokens for the floods: random secrets behind a given prefix, or random prefixes. Made by
        // the product's own format code, so they pass every check a token passes before the store read.
        app.MapGet("/bench/forge", (string? prefix, int count) => TypedResults.Ok(Enumerable.Range(0, Math.Clamp(count, 1, 100_000))
            .Select(_ => Forge(prefix)).ToList()));

        app.MapGet("/bench/stats", (Argon2Meter argon2, VerifiedTokenCache verified, TokenStateReader states) => TypedResults.Ok(new
        {
            stateStatements = states.Statements,
            argon2Verifications = argon2.Verifications,
            argon2LastVerificationMs = argon2.LastVerificationMilliseconds,
            verifiedTokens = verified.Count,
            peakWorkingSetBytes = Process.GetCurrentProcess().PeakWorkingSet64,
        }));

        app.MapHealthChecks("/healthz");
        await app.RunAsync();
        return 0;
    }

    // A checksum anyone can compute (it is public): a wrong secret with a valid checksum reaches the store read.
    private static string Forge(string? prefix)
    {
        var random = System.Security.Cryptography.RandomNumberGenerator.GetString(PersonalAccessTokenFormat.Alphabet, PersonalAccessTokenFormat.RandomLength);
        return PersonalAccessTokenFormat.WithChecksum(PersonalAccessTokenFormat.Marker
            + (string.IsNullOrEmpty(prefix) ? random : prefix + random[PersonalAccessTokenFormat.PrefixLength..]));
    }

    private static async Task<string> SeedAsync(WebApplication app, int dummyTokens)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = BenchUser, Email = BenchUser };
        var created = await users.CreateAsync(user, "bench password, not a secret");
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
        }

        // The bench user owns an organization, so its tokens are fine-grained ones, as a CI job's would be.
        var organizations = scope.ServiceProvider.GetRequiredService<OrganizationService>();
        var organization = await organizations.CreateOrganizationAsync(BenchOrganization, "Bench", user.Id);
        if (!organization.Succeeded)
        {
            throw new InvalidOperationException(organization.Message);
        }

        if (dummyTokens > 0)
        {
            // One production-cost hash for every dummy row: the prefixes differ, and no caller presents these.
            var hasher = scope.ServiceProvider.GetRequiredService<Argon2idTokenHasher>();
            var hash = await hasher.HashAsync(PersonalAccessTokenFormat.Generate());
            var db = scope.ServiceProvider.GetRequiredService<TokensDbContext>();
            var now = DateTimeOffset.UtcNow;
            for (var i = 0; i < dummyTokens; i++)
            {
                PersonalAccessTokenFormat.TryGetPrefix(PersonalAccessTokenFormat.Generate(), out var prefix);
                db.PersonalAccessTokens.Add(new PersonalAccessToken
                {
                    Id = Guid.NewGuid(),
                    UserId = user.Id,
                    Name = $"dummy-{i}",
                    Prefix = prefix,
                    Hash = hash,
                    Scopes = [PersonalAccessTokenScopes.Pat],
                    CreatedAt = now,
                });
            }

            await db.SaveChangesAsync();
        }

        return user.Id;
    }
}
