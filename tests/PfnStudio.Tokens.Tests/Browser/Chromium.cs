using Microsoft.Playwright;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright, launched once per test class. Playwright's own browser download is
/// never used: without /usr/bin/chromium (or $PFNSTUDIO_CHROMIUM) the tests skip locally and fail where CI=true.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    /// <summary>/usr/bin/chromium, or the path in $PFNSTUDIO_CHROMIUM.</summary>
    public static string ExecutablePath { get; } =
        Environment.GetEnvironmentVariable("PFNSTUDIO_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private IBrowser? _browserWithBackForwardCache;

    /// <summary>Skips the calling test when Chromium is absent, or fails it on CI.</summary>
    public static void Require()
    {
        if (File.Exists(ExecutablePath))
        {
            return;
        }

        Requirement.Unmet($"Chromium is not installed at {ExecutablePath} (apt-get install chromium, or set PFNSTUDIO_CHROMIUM).");
    }

    public ValueTask InitializeAsync()
    {
        // Two cores shared with other work: give web-first assertions the same patience as actions.
        Assertions.SetDefaultExpectTimeout(15_000);
        return ValueTask.CompletedTask;
    }

    /// <summary>The shared browser, launched on first use.</summary>
    public async Task<IBrowser> BrowserAsync()
    {
        Require();
        _playwright ??= await Playwright.CreateAsync();
        return _browser ??= await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Args,
        });
    }

    /// <summary>
    /// A browser with the back/forward cache on, as people have it, also for <c>Cache-Control: no-store</c>
    /// pages (Chrome's CacheControlNoStoreEnterBackForwardCache). Playwright turns the cache off by default.
    /// </summary>
    public async Task<IBrowser> BrowserWithBackForwardCacheAsync()
    {
        Require();
        _playwright ??= await Playwright.CreateAsync();
        return _browserWithBackForwardCache ??= await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            IgnoreDefaultArgs = ["--disable-back-forward-cache"],
            Args = [.. Args, "--enable-features=BackForwardCache,CacheControlNoStoreEnterBackForwardCache:level/restore-unless-cookie-change"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_browserWithBackForwardCache is not null)
        {
            await _browserWithBackForwardCache.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
