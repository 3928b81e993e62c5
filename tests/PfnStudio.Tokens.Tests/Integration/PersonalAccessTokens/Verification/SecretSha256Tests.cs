using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.PersonalAccessTokens.Verification;

/// <summary>The row's SHA-256 of its token: the fast check that only the correct token passes.</summary>
public sealed class SecretSha256Tests
{
    [Fact]
    public async Task AnIssuedTokensRowHoldsTheSha256OfTheWholeTokenInLowerCaseHex()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "laptop");

        var stored = await app.WithDbAsync(db => db.PersonalAccessTokens.Select(t => t.SecretSha256).SingleAsync());

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), stored);
    }

    [Fact]
    public async Task ARowIssuedBeforeTheSha256ExistedGetsItFromItsFirstCorrectUseAndFromThenOnWrongSecretsCostNoArgon2()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "old laptop");
        await app.WithDbAsync(db => db.PersonalAccessTokens.ExecuteUpdateAsync(s => s.SetProperty(t => t.SecretSha256, (string?)null)));
        using var argon2 = Argon2Count.Start(app);

        // Without it, a wrong secret is decided by Argon2, as before.
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token.WithWrongSecret(1)));
        Assert.Equal(1, argon2.Verifications);
        Assert.Null(await app.WithDbAsync(db => db.PersonalAccessTokens.Select(t => t.SecretSha256).SingleAsync()));

        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        Assert.Equal(2, argon2.Verifications);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))),
            await app.WithDbAsync(db => db.PersonalAccessTokens.Select(t => t.SecretSha256).SingleAsync()));

        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token.WithWrongSecret(2)));
        Assert.Equal(2, argon2.Verifications);
    }

    [Fact]
    public async Task WhenTheStoreRefusesTheSha256WriteTheCorrectTokenIsStillAcceptedAndTheRowKeepsNoValue()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "old laptop");
        await app.WithDbAsync(db => db.PersonalAccessTokens.ExecuteUpdateAsync(s => s.SetProperty(t => t.SecretSha256, (string?)null)));

        // The store refuses exactly this write (a trigger), as a read-only replica or a full disk would.
        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(TokensApplication.IsPostgres
            ? "CREATE FUNCTION refuse_write() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'writes refused'; END $$ LANGUAGE plpgsql; "
              + "CREATE TRIGGER refuse_sha256 BEFORE UPDATE OF \"SecretSha256\" ON \"PersonalAccessTokens\" FOR EACH ROW EXECUTE FUNCTION refuse_write();"
            : "CREATE TRIGGER refuse_sha256 BEFORE UPDATE OF \"SecretSha256\" ON \"PersonalAccessTokens\" BEGIN SELECT RAISE(ABORT, 'writes refused'); END;"));
        using var argon2 = Argon2Count.Start(app);

        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));
        Assert.Equal(1, argon2.Verifications);
        Assert.Null(await app.WithDbAsync(db => db.PersonalAccessTokens.Select(t => t.SecretSha256).SingleAsync()));
    }

    [Fact]
    public async Task TheFirstCorrectUseFillsOnlyItsOwnRowNeverAnotherWithTheSameHashOrOneThatHasAValue()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "old laptop");
        await app.IssueTokenAsync(user.Id, "old desktop");
        var withValue = await app.IssueTokenAsync(user.Id, "old server");
        var hash = await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Prefix == token.Substring(14, 12)).Select(t => t.Hash).SingleAsync());
        const string Kept = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        // Three rows issued "before": the token's, one without a value, one with; both others hold the same hash string.
        await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Prefix != withValue.Substring(14, 12))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.SecretSha256, (string?)null)));
        await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Prefix == withValue.Substring(14, 12))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.SecretSha256, Kept)));
        await app.WithDbAsync(db => db.PersonalAccessTokens.ExecuteUpdateAsync(s => s.SetProperty(t => t.Hash, hash)));

        Assert.Equal(HttpStatusCode.OK, await app.StatusOfMeAsync(token));

        var stored = await app.WithDbAsync(db => db.PersonalAccessTokens.ToDictionaryAsync(t => t.Name, t => t.SecretSha256));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), stored["old laptop"]);
        Assert.Null(stored["old desktop"]);
        Assert.Equal(Kept, stored["old server"]);
    }

    [Theory]
    [InlineData("not hex at all")]
    [InlineData("00")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task ACorruptedSha256RefusesEvenTheCorrectTokenAndNeverAnswers500(string corrupted)
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("ada@example.com");
        var token = await app.IssueTokenAsync(user.Id, "laptop");
        await app.WithDbAsync(db => db.PersonalAccessTokens.ExecuteUpdateAsync(s => s.SetProperty(t => t.SecretSha256, corrupted)));

        // Fail closed: a row whose check value is damaged proves nothing, so nothing passes.
        Assert.Equal(HttpStatusCode.Unauthorized, await app.StatusOfMeAsync(token));
    }
}
