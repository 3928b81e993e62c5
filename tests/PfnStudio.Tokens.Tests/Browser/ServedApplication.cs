using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Browser;

/// <summary>
/// The host on a loopback Kestrel port with one browser context (its own cookies, clipboard permissions) and
/// one page that records console errors, uncaught exceptions and CSP violations.
/// </summary>
internal sealed partial class ServedApplication : IAsyncDisposable
{
    private readonly List<string> _consoleErrors = [];

    private ServedApplication(TokensApplication app, IBrowserContext context, IPage page)
    {
        App = app;
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                lock (_consoleErrors)
                {
                    _consoleErrors.Add($"console.{message.Type}: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_consoleErrors)
            {
                _consoleErrors.Add($"uncaught: {error}");
            }
        };
    }

    public TokensApplication App { get; }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public Uri BaseAddress => App.ClientOptions.BaseAddress;

    /// <summary>Console errors and warnings so far (a CSP violation is a console error).</summary>
    public IReadOnlyList<string> ConsoleErrors
    {
        get
        {
            lock (_consoleErrors)
            {
                return [.. _consoleErrors];
            }
        }
    }

    /// <summary>A token of the documented form.</summary>
    [GeneratedRegex("^pfnstudio_pat_[0-9A-Za-z]{38}$")]
    public static partial Regex TokenPattern();

    /// <summary>Starts the host on 127.0.0.1 with a random port and opens a page at 1280×800.</summary>
    /// <param name="chromium">The browsers.</param>
    /// <param name="grantClipboard">Grant clipboard-read and clipboard-write to the host's origin.</param>
    /// <param name="backForwardCache">Use the browser whose back/forward cache is on.</param>
    /// <param name="settings">Host settings (e.g. a test SMTP server's).</param>
    public static async Task<ServedApplication> StartAsync(
        Chromium chromium, bool grantClipboard = true, bool backForwardCache = false, Dictionary<string, string>? settings = null)
    {
        var browser = backForwardCache ? await chromium.BrowserWithBackForwardCacheAsync() : await chromium.BrowserAsync();
        // Kestrel serves plain http on loopback here, so the host runs as Development (cookies not Secure-only);
        // the production cookie and HTTPS posture is covered over TestServer in SecurityHeaderTests.
        var app = new TokensApplication { Environment = "Development", Settings = settings ?? [] };
        app.UseKestrel(0);
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        app.ClientOptions.BaseAddress = new Uri(address);
        var baseUrl = address.TrimEnd('/');
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        if (grantClipboard)
        {
            await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = baseUrl });
        }

        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new ServedApplication(app, context, page);
    }

    /// <summary>An HTTP client for the API on the served host, sending <c>Authorization: Bearer {token}</c>.</summary>
    public HttpClient CreateApiClient(string token)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Fails when the page logged an error or warning, threw, or broke its CSP.</summary>
    public void AssertNoConsoleErrors() => Assert.Empty(ConsoleErrors);

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await App.DisposeAsync();
    }
}
