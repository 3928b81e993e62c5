using Microsoft.Playwright;

namespace PfnStudio.Tokens.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright, launched once per test class. Playwright's own browser download is
/// never used: without /usr/bin/chromium the tests skip locally and fail where CI=true.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>Skips the calling test when Chromium is absent, or fails it on CI.</summary>
    public static void Require()
    {
        if (File.Exists(ExecutablePath))
        {
            return;
        }

        var reason = $"Chromium is not installed at {ExecutablePath} (apt-get install chromium).";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(reason + " CI=true, so browser tests must run.");
        }

        Assert.Skip(reason);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>The shared browser, launched on first use.</summary>
    public async Task<IBrowser> BrowserAsync()
    {
        Require();
        if (_browser is null)
        {
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Args,
            });
        }

        return _browser;
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
