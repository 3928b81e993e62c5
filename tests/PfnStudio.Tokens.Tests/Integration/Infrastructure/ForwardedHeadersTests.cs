using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Infrastructure;

/// <summary>
/// <c>X-Forwarded-For</c> counts only from a trusted proxy (<c>ForwardedHeaders:KnownProxies</c> /
/// <c>KnownNetworks</c>; loopback when neither is set): from anyone else it is ignored by the per-address failure
/// limit and by the audit trail, however it changes from request to request.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const string Attacker = "203.0.113.7";
    private const int Limit = 3;

    [Theory]
    [InlineData(true, null, null, Attacker)]             // enabled, nothing listed: only loopback is trusted
    [InlineData(true, "10.0.0.5", null, Attacker)]       // enabled, another proxy listed
    [InlineData(true, null, "10.0.0.0/8", Attacker)]     // enabled, another network listed
    [InlineData(false, Attacker, null, Attacker)]        // listed, but forwarding is off
    [InlineData(false, null, null, "127.0.0.1")]         // off: not even loopback forwards
    public async Task FromAnUntrustedPeerAFreshForwardedForPerRequestDoesNotGetPastTheLimitAndTheAuditRecordsThePeer(
        bool enabled, string? knownProxies, string? knownNetworks, string peer)
    {
        await using var app = App(enabled, knownProxies, knownNetworks);
        var user = await app.CreateUserAsync("owner@example.com");
        var token = await app.IssueTokenAsync(user.Id, "ci");

        var answers = await WrongSecretsAsync(app, token, peer, count: 10);

        Assert.All(answers.Take(Limit), a => Assert.Equal(HttpStatusCode.Unauthorized, a));
        Assert.All(answers.Skip(Limit), a => Assert.Equal(HttpStatusCode.TooManyRequests, a));
        Assert.Equal(peer, await FailedUseAddressAsync(app));
    }

    [Theory]
    [InlineData(null, null, "127.0.0.1")]                // the default: a proxy on the same machine
    [InlineData(null, null, "::1")]
    [InlineData(Attacker, null, Attacker)]               // a listed proxy
    [InlineData("10.0.0.5, " + Attacker, null, Attacker)]
    [InlineData(null, "203.0.113.0/24", Attacker)]       // a listed network
    public async Task FromATrustedProxyTheForwardedAddressIsTheClientForTheLimitAndTheAudit(string? knownProxies, string? knownNetworks, string peer)
    {
        await using var app = App(enabled: true, knownProxies, knownNetworks);
        var user = await app.CreateUserAsync("owner@example.com");
        var token = await app.IssueTokenAsync(user.Id, "ci");

        // Each request comes from another client behind the proxy: each has a limit of its own.
        var answers = await WrongSecretsAsync(app, token, peer, count: 10);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Unauthorized, a));
        Assert.Equal("198.51.100.1", await FailedUseAddressAsync(app));
    }

    private static TokensApplication App(bool enabled, string? knownProxies, string? knownNetworks)
    {
        var settings = new Dictionary<string, string> { ["HotPath:ClientFailureLimit"] = $"{Limit}" };
        if (enabled)
        {
            // What ASPNETCORE_FORWARDEDHEADERS_ENABLED=true sets (the ASPNETCORE_ prefix is the host's).
            settings["FORWARDEDHEADERS_ENABLED"] = "true";
        }

        if (knownProxies is not null)
        {
            settings["ForwardedHeaders:KnownProxies"] = knownProxies;
        }

        if (knownNetworks is not null)
        {
            settings["ForwardedHeaders:KnownNetworks"] = knownNetworks;
        }

        return new TokensApplication { Settings = settings };
    }

    // Wrong secrets for a stored prefix from one peer, each request claiming another client, 198.51.100.1, .2, …
    private static async Task<List<HttpStatusCode>> WrongSecretsAsync(TokensApplication app, string token, string peer, int count)
    {
        using var client = app.CreateClient();
        var answers = new List<HttpStatusCode>();
        for (var i = 1; i <= count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.WithWrongSecret(i));
            request.Headers.Add(TestClientAddress.Header, peer);
            request.Headers.Add("X-Forwarded-For", $"198.51.100.{i}");
            using var response = await client.SendAsync(request);
            answers.Add(response.StatusCode);
        }

        return answers;
    }

    // The failed-use audit row (one per token per minute): written by the next batch once the clock moves on.
    private static async Task<string?> FailedUseAddressAsync(TokensApplication app)
    {
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await HotPathExtensions.EventuallyAsync(
            async () => await app.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Kind == AuditEventKind.FailedUse)), "the audit batch");
        var rows = await app.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Kind == AuditEventKind.FailedUse).Select(e => e.ClientAddress).ToListAsync());
        return Assert.Single(rows);
    }
}
