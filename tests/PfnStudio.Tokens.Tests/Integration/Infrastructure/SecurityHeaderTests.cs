using System.Net;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Infrastructure;

public sealed class SecurityHeaderTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/account/sign-in")]
    [InlineData("/account/sign-up")]
    [InlineData("/api/v1/me")]
    [InlineData("/healthz")]
    [InlineData("/no-such-page")]
    public async Task EveryResponseCarriesTheSecurityHeaders(string path)
    {
        await using var app = new TokensApplication();
        // HSTS is never sent for localhost (HstsOptions.ExcludedHosts), so ask as a deployed host would be asked.
        using var client = app.CreateClient(new() { BaseAddress = new Uri("https://tokens.pfnstudio.example") });

        using var response = await client.GetAsync(path);

        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.StartsWith("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task PagesHaveNoInlineScript()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("csp@example.com");
        var page = await browser.IssueOnPageAsync("csp", "1");

        Assert.All(page.Document.Scripts, s => Assert.False(string.IsNullOrEmpty(s.Source), "inline <script> found"));
        Assert.DoesNotContain(" onclick=", page.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", page.Html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task EveryCookieIsHttpOnlySecureAndSameSiteOutsideDevelopment()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser(followRedirects: false);

        var signUp = await browser.GetAsync("/account/sign-up");
        var signedUp = await browser.SubmitAsync(signUp, "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = "cookies@example.com",
            ["Input.Password"] = TokensApplication.Password,
            ["Input.ConfirmPassword"] = TokensApplication.Password,
        });

        var cookies = signUp.Response.Headers.GetValues("Set-Cookie").Concat(signedUp.Response.Headers.GetValues("Set-Cookie")).ToList();
        Assert.Contains(cookies, c => c.StartsWith("pfnstudio.session=", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith("pfnstudio.antiforgery=", StringComparison.Ordinal));
        Assert.All(cookies, c =>
        {
            Assert.Contains("httponly", c, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase);
            Assert.Matches("(?i)samesite=(lax|strict)", c);
        });
    }

    [Theory]
    [InlineData("/account/sign-up", HttpStatusCode.BadRequest)]
    [InlineData("/api-tokens", HttpStatusCode.BadRequest)]
    [InlineData("/healthz", HttpStatusCode.OK)]
    [InlineData("/api/v1/me", HttpStatusCode.Unauthorized)]
    public async Task WithoutAnHttpsPortPagesOverPlainHttpSayToUseHttpsAndMachineRoutesStillAnswer(string path, HttpStatusCode status)
    {
        await using var app = new TokensApplication();
        using var client = app.CreateClient(new() { BaseAddress = new Uri("http://tokens.pfnstudio.example"), AllowAutoRedirect = false });

        using var response = await client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        if (status == HttpStatusCode.BadRequest)
        {
            Assert.Contains("This page needs HTTPS", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task PlainHttpIsRedirectedToHttpsOutsideDevelopment()
    {
        await using var app = new TokensApplication { Settings = { ["https_port"] = "443" } };
        using var client = app.CreateClient(new() { BaseAddress = new Uri("http://localhost"), AllowAutoRedirect = false });

        using var response = await client.GetAsync("/account/sign-in");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal("https://localhost/account/sign-in", response.Headers.Location?.ToString());
    }
}
