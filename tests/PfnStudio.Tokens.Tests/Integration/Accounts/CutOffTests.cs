using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Operator;
using PfnStudio.Tokens.Tests.Infrastructure;
using static PfnStudio.Tokens.Tests.Infrastructure.ProjectApiHelpers;

namespace PfnStudio.Tokens.Tests.Integration.Accounts;

/// <summary>
/// Cutting a person off with the operator commands <c>users disable | enable | delete</c>: tokens refused on the next
/// request on both hosts of one store, sessions ended, sign-in refused, history kept after a deletion.
/// </summary>
public sealed class CutOffTests
{
    private const string DisabledChallenge =
        "Bearer realm=\"pfnstudio\", error=\"invalid_token\", error_description=\"The token's owner account is disabled.\"";

    private const string RevokedChallenge =
        "Bearer realm=\"pfnstudio\", error=\"invalid_token\", error_description=\"The token is unknown or has been revoked.\"";

    [Fact]
    public async Task ADisabledAccountsTokensAre401OnTheNextRequestOnBothHostsAndEnablingMakesThemWorkAgain()
    {
        await using var a = new TokensApplication();
        await using var b = new TokensApplication(a);
        await RunAsync(a, ["users", "create", "ops@example.com"]);
        await RunAsync(a, ["users", "create", "ci@example.com"]);
        var warm = (await RunAsync(a, ["tokens", "issue", "--user", "ci@example.com", "--name", "warm"])).Stdout.Trim();
        var cold = (await RunAsync(a, ["tokens", "issue", "--user", "ci@example.com", "--name", "cold"])).Stdout.Trim();
        var others = (await RunAsync(a, ["tokens", "issue", "--user", "ops@example.com", "--name", "theirs"])).Stdout.Trim();
        using var warmOnA = a.CreateClientWithToken(warm);
        using var warmOnB = b.CreateClientWithToken(warm);
        using var coldOnB = b.CreateClientWithToken(cold);
        using var theirs = b.CreateClientWithToken(others);
        await AssertOkAsync(warmOnA);
        await AssertOkAsync(warmOnB); // both hosts have now verified it and remember that

        Assert.Equal(
            (0, "Disabled ci@example.com: its sessions have ended and its 2 active token(s) are refused until it is enabled.\n", ""),
            await RunAsync(a, ["users", "disable", "ci@example.com"]));

        // The very next request, on the host that disabled it and on the other; a token neither host had verified too.
        await AssertRefusedAsync(warmOnA, DisabledChallenge);
        await AssertRefusedAsync(warmOnB, DisabledChallenge);
        await AssertRefusedAsync(coldOnB, DisabledChallenge);
        await AssertOkAsync(theirs);
        Assert.Equal(0, await a.WithDbAsync(db => db.PersonalAccessTokens.CountAsync(t => t.RevokedAt != null)));

        Assert.Equal((1, "", "error: ci@example.com is already disabled (since 2026-11-29 12:00 UTC).\n"),
            await RunAsync(b, ["users", "disable", "ci@example.com"]));
        var listed = await RunAsync(b, ["users", "list"]);
        Assert.Equal(
            [
                "EMAIL            CONFIRMED  LOCKED OUT  DISABLED                ORGS  ACTIVE TOKENS",
                "ci@example.com   yes        no          since 2026-11-29 12:00  1     2",
                "ops@example.com  yes        no          no                      1     1",
            ],
            listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        a.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal((0, "Enabled ci@example.com: it can sign in again and its 2 active token(s) work again.\n", ""),
            await RunAsync(b, ["users", "enable", "ci@example.com"]));
        await AssertOkAsync(warmOnA);
        await AssertOkAsync(warmOnB);
        await AssertOkAsync(coldOnB);

        Assert.Equal((1, "", "error: ci@example.com is not disabled.\n"), await RunAsync(a, ["users", "enable", "ci@example.com"]));
        Assert.Equal((1, "", "error: no account has the email address \"ghost@example.com\".\n"), await RunAsync(a, ["users", "disable", "ghost@example.com"]));
        Assert.Equal((1, "", "error: no account has the email address \"ghost@example.com\".\n"), await RunAsync(a, ["users", "enable", "ghost@example.com"]));

        var kinds = await a.WithDbAsync(db => db.AuditEvents.Where(e => e.TokenId == null)
            .OrderBy(e => e.Id).Select(e => new { e.Kind, e.Detail, e.TokenPrefix }).ToListAsync());
        Assert.Equal(
            [(AuditEventKind.AccountDisabled, "disabled by the operator command line", ""), (AuditEventKind.AccountEnabled, "enabled by the operator command line", "")],
            kinds.Select(k => (k.Kind, k.Detail, k.TokenPrefix)));
        Assert.Equal("account_disabled", await ScalarAsync(a, "SELECT \"Kind\" FROM \"AuditEvents\" WHERE \"TokenId\" IS NULL ORDER BY \"Id\""));
    }

    [Fact]
    public async Task DisablingEndsTheSessionOnBothHostsAndSignInSaysTheAccountIsDisabledOnlyWithTheRightPassword()
    {
        await using var a = new TokensApplication();
        await using var b = new TokensApplication(a);
        var person = new Person(a);
        await person.Browser.SignUpAsync("cut@example.com");
        var cookie = person.SessionCookie();
        await AssertSessionOpensAsync(a, cookie);
        await AssertSessionOpensAsync(b, cookie);

        Assert.Equal(0, (await RunAsync(b, ["users", "disable", "cut@example.com"])).Code);

        await AssertSessionRefusedAsync(a, cookie);
        await AssertSessionRefusedAsync(b, cookie);
        var disabled = await new Person(b).SignInAsync("cut@example.com", TokensApplication.Password);
        Assert.Equal("This account is disabled.", disabled.Text(".error-summary"));
        Assert.Null(disabled.Document.QuerySelector("summary.avatar"));
        var wrong = await new Person(a).SignInAsync("cut@example.com", "not the password at all");
        Assert.Equal("Invalid email or password.", wrong.Text(".error-summary"));

        Assert.Equal(0, (await RunAsync(a, ["users", "enable", "cut@example.com"])).Code);
        await AssertSessionRefusedAsync(a, cookie); // the old session stays ended
        var again = await new Person(b).SignInAsync("cut@example.com", TokensApplication.Password);
        Assert.Equal("C", again.Text("summary.avatar"));
    }

    [Fact]
    public async Task DeleteWithoutYesSaysWhatItWouldDoAndDeleteRefusesTheLastOwnerOfAnOrganizationWithOtherMembers()
    {
        await using var app = new TokensApplication();
        _ = app.Server;
        await RunAsync(app, ["users", "create", "ops@example.com"]); // owner of the default organization
        await RunAsync(app, ["users", "create", "ci@example.com"]);
        var token = (await RunAsync(app, ["tokens", "issue", "--user", "ci@example.com", "--name", "pipeline"])).Stdout.Trim();

        Assert.Equal(
            (1, "", "error: not deleted without --yes. Deleting ci@example.com revokes its 1 active token(s), ends its sessions and removes it from 1 organization(s); its audit rows and runs stay, shown as \"deleted user\".\n"),
            await RunAsync(app, ["users", "delete", "ci@example.com"]));
        Assert.Equal(
            (1, "", "error: ops@example.com is the last owner of organization \"pfnstudio\", which has other members; make one of them an owner (orgs set-role) or remove them first. Nothing was deleted.\n"),
            await RunAsync(app, ["users", "delete", "ops@example.com", "--yes"]));
        Assert.Equal(
            (1, "", "error: ops@example.com is the last owner of organization \"pfnstudio\", which has other members; make one of them an owner (orgs set-role) or remove them first. Nothing was deleted.\n"),
            await RunAsync(app, ["users", "delete", "ops@example.com"]));
        Assert.Equal((1, "", "error: no account has the email address \"ghost@example.com\".\n"),
            await RunAsync(app, ["users", "delete", "ghost@example.com", "--yes"]));

        using var api = app.CreateClientWithToken(token);
        await AssertOkAsync(api);
        Assert.Equal(2, await app.WithDbAsync(db => db.Users.CountAsync(u => u.DeletedAt == null)));
        Assert.Equal(2, await app.WithDbAsync(db => db.Memberships.CountAsync()));
        Assert.Equal(0, await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.TokenId == null)));

        // A second owner lifts the refusal.
        Assert.Equal(0, (await RunAsync(app, ["orgs", "set-role", "pfnstudio", "ci@example.com", "owner"])).Code);
        Assert.Equal(0, (await RunAsync(app, ["users", "delete", "ops@example.com", "--yes"])).Code);
        Assert.Equal(["ci@example.com"], await app.WithDbAsync(db => db.Memberships.Select(m => m.User!.Email).ToListAsync()));
    }

    [Fact]
    public async Task DeleteRevokesEveryTokenEndsEverySessionOnBothHostsAndKeepsAuditRowsAndRunsShownAsDeletedUser()
    {
        await using var a = new TokensApplication();
        await using var b = new TokensApplication(a);
        await RunAsync(a, ["users", "create", "ops@example.com"]);
        var opsToken = (await RunAsync(a, ["tokens", "issue", "--user", "ops@example.com", "--name", "reader"])).Stdout.Trim();
        var person = new Person(a);
        await person.Browser.SignUpAsync("leaving@example.com");
        var token = (await person.Browser.IssueOnPageAsync("laptop", "30")).RevealedToken()!;
        var cookie = person.SessionCookie();
        using var apiOnA = a.CreateClientWithToken(token);
        using var apiOnB = b.CreateClientWithToken(token);
        using (var pushed = await apiOnB.PushPriorAsync(DemoProject, "smooth.py", "x = 1\n"))
        {
            Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
        }

        using (var predicted = await apiOnA.PredictRawAsync(DemoProject, """{"context": {"x": [[0], [1]], "y": [1, -1]}, "query": {"x": [[0.5]]}}"""))
        {
            Assert.Equal(HttpStatusCode.OK, predicted.StatusCode);
        }

        var userId = await a.WithDbAsync(db => db.Users.Where(u => u.Email == "leaving@example.com").Select(u => u.Id).SingleAsync());
        await AssertSessionOpensAsync(b, cookie);

        Assert.Equal(
            (0, "Deleted leaving@example.com: 1 token(s) revoked, its sessions ended, removed from 1 organization(s); its audit rows and runs stay, shown as \"deleted user\".\n", ""),
            await RunAsync(b, ["users", "delete", "leaving@example.com", "--yes"]));

        await AssertRefusedAsync(apiOnA, RevokedChallenge);
        await AssertRefusedAsync(apiOnB, RevokedChallenge);
        await AssertSessionRefusedAsync(a, cookie);
        await AssertSessionRefusedAsync(b, cookie);
        var signIn = await new Person(a).SignInAsync("leaving@example.com", TokensApplication.Password);
        Assert.Equal("Invalid email or password.", signIn.Text(".error-summary"));

        // The history stays with the anonymised row: audit rows, the run, the revoked token row.
        var audit = await a.WithDbAsync(db => db.AuditEvents.Where(e => e.UserId == userId && e.Kind != AuditEventKind.FailedUse).OrderBy(e => e.Id)
            .Select(e => new { e.Kind, e.Detail }).ToListAsync());
        Assert.Equal([AuditEventKind.Issued, AuditEventKind.Revoked, AuditEventKind.AccountDeleted], audit.Select(e => e.Kind));
        Assert.Equal(["revoked by deletion of its owner's account", "deleted by the operator command line"], audit.Skip(1).Select(e => e.Detail));
        Assert.Equal(1, await a.WithDbAsync(db => db.Runs.CountAsync(r => r.UserId == userId)));
        Assert.Equal(1, await a.WithDbAsync(db => db.PersonalAccessTokens.CountAsync(t => t.UserId == userId && t.RevokedAt != null)));
        Assert.Equal(0, await a.WithDbAsync(db => db.Memberships.CountAsync(m => m.UserId == userId)));
        var row = await a.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == userId));
        Assert.Equal(($"deleted-{userId}@deleted.invalid", $"deleted-{userId}", (string?)null), (row.Email, row.UserName, row.PasswordHash));
        Assert.NotNull(row.DeletedAt);

        using var reader = b.CreateClientWithToken(opsToken);
        using (var priors = await reader.GetAsync($"/api/v1/projects/{DemoProject}/priors"))
        {
            Assert.Equal(HttpStatusCode.OK, priors.StatusCode);
            var item = Assert.Single((await priors.JsonAsync()).GetProperty("items").EnumerateArray());
            Assert.Equal("deleted user", item.GetProperty("pushedBy").GetString());
        }

        // Not an account any more: not listed, not found, and its address is free for a new one.
        Assert.DoesNotContain("deleted", (await RunAsync(a, ["users", "list"])).Stdout, StringComparison.Ordinal);
        Assert.Equal((1, "", "error: no account has the email address \"leaving@example.com\".\n"),
            await RunAsync(a, ["users", "delete", "leaving@example.com", "--yes"]));
        Assert.Equal((1, "", $"error: no account has the email address \"deleted-{userId}@deleted.invalid\".\n"),
            await RunAsync(a, ["users", "enable", $"deleted-{userId}@deleted.invalid"]));
        Assert.Equal(0, (await RunAsync(a, ["users", "create", "leaving@example.com"])).Code);
    }

    private static async Task AssertOkAsync(HttpClient api)
    {
        using var response = await api.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task AssertRefusedAsync(HttpClient api, string challenge)
    {
        using var response = await api.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(challenge, response.Headers.WwwAuthenticate.ToString());
    }

    private static async Task<string?> ScalarAsync(TokensApplication app, string sql)
    {
        await using var connection = await app.OpenSeparateConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (string?)await command.ExecuteScalarAsync();
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(TokensApplication app, string[] args)
    {
        using var input = new StringReader(string.Empty);
        await using var output = new StringWriter { NewLine = "\n" };
        await using var error = new StringWriter { NewLine = "\n" };
        var code = await OperatorCommandLine.RunAsync(app.Services, args, input, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task AssertSessionOpensAsync(TokensApplication host, string cookie)
    {
        using var response = await ReplayAsync(host, cookie);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task AssertSessionRefusedAsync(TokensApplication host, string cookie)
    {
        using var response = await ReplayAsync(host, cookie);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/sign-in", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    // A bare client: only the copied cookie is sent, as an attacker holding a copy would send it.
    private static async Task<HttpResponseMessage> ReplayAsync(TokensApplication host, string cookie)
    {
        // Identity re-checks the stamp once more than ValidationInterval (zero) has passed; the fake clock is moved on.
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        using var client = host.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = host.ClientOptions.BaseAddress, AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api-tokens");
        request.Headers.Add("Cookie", $"pfnstudio.session={cookie}");
        return await client.SendAsync(request);
    }
}
