using System.Net;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Data;

/// <summary>The store missing, broken or locked: 503 with a problem body, never a 500, never a token accepted unchecked; recovery when it returns.</summary>
public sealed class StoreFaultTests
{
    [Fact]
    public async Task WithTheTokensTableGoneHealthIsUnhealthyPagesAndApiAnswer503AndAllRecoverWhenItReturns()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("fault@example.com");
        var token = (await browser.IssueOnPageAsync("fault", "30")).RevealedToken()!;
        using var api = app.CreateClientWithToken(token);
        using var health = app.CreateClient();
        using (var warm = await api.GetAsync("/api/v1/me"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE \"PersonalAccessTokens\" RENAME TO \"PersonalAccessTokensAway\""));

        using (var unhealthy = await health.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
            Assert.Equal("Unhealthy", await unhealthy.Content.ReadAsStringAsync());
        }

        using (var refused = await api.GetAsync("/api/v1/me"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        var page = await browser.GetAsync("/api-tokens");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.Status);
        Assert.Contains("The token store is unavailable", page.Html);
        Assert.DoesNotContain("   at ", page.Html, StringComparison.Ordinal); // no stack trace

        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE \"PersonalAccessTokensAway\" RENAME TO \"PersonalAccessTokens\""));

        using (var healthy = await health.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        }

        using (var back = await api.GetAsync("/api/v1/me"))
        {
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }

        Assert.Equal("API tokens", (await browser.GetAsync("/api-tokens")).Text("h1"));
    }

#if !POSTGRES
    [Fact]
    public async Task WithTheSqliteFileGoneEveryRouteAnswers503NothingIsWrittenElsewhereAndAllRecoverWhenItReturns()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("gone@example.com");
        var token = (await browser.IssueOnPageAsync("gone", "30")).RevealedToken()!;
        using var api = app.CreateClientWithToken(token);
        using var health = app.CreateClient();
        using (var warm = await api.GetAsync("/api/v1/me"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode); // verified: the hot path now holds connections open
        }

        var form = await browser.GetAsync("/api-tokens");
        var files = Directory.GetFiles(Path.GetDirectoryName(app.DatabasePath)!, "tokens.db*");
        foreach (var file in files)
        {
            File.Move(file, file + ".away");
        }

        // The hot path looks for the file once per interval, not on every request.
        app.Clock.Advance(PfnStudio.Tokens.PersonalAccessTokens.Verification.TokenStateReader.StoreFileCheckInterval);
        using (var refused = await api.GetAsync("/api/v1/me"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        using (var unhealthy = await health.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
        }

        var notIssued = await browser.SubmitAsync(form, "form.issue-form", new Dictionary<string, string> { ["Input.Name"] = "while gone" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notIssued.Status);
        Assert.Null(notIssued.RevealedToken());
        Assert.False(File.Exists(app.DatabasePath), "a new, empty store was created in place of the missing one");

        foreach (var file in files)
        {
            File.Move(file + ".away", file);
        }

        using (var back = await api.GetAsync("/api/v1/me"))
        {
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }

        using (var healthy = await health.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        }

        Assert.NotNull((await browser.IssueOnPageAsync("after")).RevealedToken());
        Assert.Equal(["after", "gone"], await app.WithDbAsync(db => db.PersonalAccessTokens.OrderBy(t => t.Name).Select(t => t.Name).ToListAsync()));

        // The hot path watches the returned store's commits again: a revoke from another connection is seen at once.
        await app.RevokeFromAnotherConnectionAsync(token, app.Clock.GetUtcNow());
        using var revoked = await api.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    // SQLite's single-writer lock; PostgreSQL locks rows instead.
    [Fact]
    public async Task WhileAnotherWriterHoldsTheStoreAnIssueAnswers503StoresNothingAndWorksAfterwards()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("locked@example.com");
        var form = await browser.GetAsync("/api-tokens");

        await using (var holder = await app.OpenSeparateConnectionAsync())
        {
            await using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                await begin.ExecuteNonQueryAsync();
            }

            var refused = await browser.SubmitAsync(form, "form.issue-form", new Dictionary<string, string> { ["Input.Name"] = "while locked" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
            Assert.Equal("5", refused.Response.Headers.GetValues("Retry-After").Single());
            Assert.Contains("nothing was changed", refused.Html);
            Assert.Null(refused.RevealedToken());

            await using var rollback = holder.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }

        Assert.Equal(0, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
        var issued = await browser.IssueOnPageAsync("after the lock");
        Assert.NotNull(issued.RevealedToken());
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
    }
#endif
}
