using Microsoft.Playwright;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Browser;

/// <summary>
/// The page at a desktop and a phone width: nothing scrolls sideways, the whole token shows, and full-page
/// screenshots land in the test output folder (docs/api-tokens.png is refreshed from the desktop one when
/// PFNSTUDIO_UPDATE_DOCS_SCREENSHOT=1).
/// </summary>
public sealed class ApiTokensScreenshotTests(Chromium chromium) : IClassFixture<Chromium>
{
    /// <summary>Where screenshots go: $PFNSTUDIO_SCREENSHOTS, else screenshots/ beside the test assembly.</summary>
    public static string ScreenshotFolder =>
        Environment.GetEnvironmentVariable("PFNSTUDIO_SCREENSHOTS") is { Length: > 0 } folder
            ? folder
            : Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(375, 812)]
    public async Task ThePageFitsTheWindowAndIsPhotographed(int width, int height)
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.SetViewportSizeAsync(width, height);
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.SignUpAsync("ada.lovelace@example.com");
        await page.OpenApiTokensFromAvatarMenuAsync();
        await page.IssueTokenAsync("old-workstation", "");
        await page.ActiveRows().GetByRole(AriaRole.Button, new() { Name = "Revoke old-workstation" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Token “old-workstation” revoked.")).ToBeVisibleAsync();
        await page.IssueTokenAsync("ci-nightly", "5");
        // A CI job's token: push to the demo project only.
        await page.GetByLabel("Fine-grained").CheckAsync();
        await page.GetByLabel("Only chosen projects").CheckAsync();
        await page.GetByLabel("pfnstudio-demo").CheckAsync();
        await page.GetByLabel("read", new() { Exact = true }).UncheckAsync();
        await page.GetByLabel("push", new() { Exact = true }).CheckAsync();
        await page.IssueTokenAsync("github-actions", "90");
        await Assertions.Expect(page.RevealBox()).ToContainTextAsync("Scopes: push \u00b7 pfnstudio / pfnstudio-demo");
        var token = await page.IssueTokenAsync("laptop", "30");
        await page.GetByText("Expired and revoked (1)").ClickAsync();

        Assert.Equal(width, await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"));
        // No table needs its own sideways scroll either: every column, Revoke included, is in view.
        Assert.Equal(0, await page.EvaluateAsync<int>(
            "() => [...document.querySelectorAll('.table-scroll')].filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1).length"));
        var field = page.RevealedTokenField();
        Assert.True(await field.EvaluateAsync<bool>("e => e.scrollHeight <= e.clientHeight + 1 && e.scrollWidth <= e.clientWidth + 1"),
            "The whole token shows in its field, without scrolling.");
        foreach (var control in await page.Locator("main button, main input:not([type=hidden]), main textarea, main summary").Filter(new() { Visible = true }).AllAsync())
        {
            var box = await control.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.InRange(box.X, 0, width);
            Assert.InRange(box.X + box.Width, 0, width);
        }

        Directory.CreateDirectory(ScreenshotFolder);
        var path = Path.Combine(ScreenshotFolder, $"api-tokens-{width}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 10_000);
        Assert.True(ServedApplication.TokenPattern().IsMatch(token), "The screenshot shows a token of the documented form.");

        if (width == 1280 && Environment.GetEnvironmentVariable("PFNSTUDIO_UPDATE_DOCS_SCREENSHOT") == "1")
        {
            // The README's picture: a throwaway token from this throwaway host, never a real one.
            File.Copy(path, Path.Combine(RepositoryFiles.Root(), "docs", "api-tokens.png"), overwrite: true);
        }

        served.AssertNoConsoleErrors();
    }
}
