using System.Net.Http.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace PfnStudio.Tokens.Tests.Browser;

/// <summary>
/// The pages at a laptop's and a phone's width: nothing a long name can push off its card, and axe-core finding
/// no serious or critical accessibility violation.
/// </summary>
public sealed class PageLayoutAndAccessibilityTests(Chromium chromium) : IClassFixture<Chromium>
{
    // 100 characters (the longest name allowed) without a single place to break.
    private static readonly string LongName = new('W', 100);

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(375, 812)]
    public async Task ALongTokenNameKeepsRevokeAndTheRevokeNoticeInsideTheirCards(int width, int height)
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.SetViewportSizeAsync(width, height);
        await page.SignUpAsync("long.names@example.com");
        await page.OpenApiTokensFromAvatarMenuAsync();
        await page.IssueTokenAsync(LongName, "30");
        await page.GotoAsync("/api-tokens");

        var card = page.Locator("section.card").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Active tokens" }) });
        var revoke = page.GetByRole(AriaRole.Button, new() { Name = $"Revoke {LongName}" });
        await AssertInsideAsync(revoke, card, "the Revoke button");
        await AssertInsideAsync(page.Locator("td.name").First, card, "the name cell");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");

        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await revoke.ClickAsync();
        var notice = page.Locator("p.notice");
        await Assertions.Expect(notice).ToContainTextAsync("revoked");
        Assert.True(await notice.EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth"), "the revoke notice overflows its box");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways after revoking");
    }

    [Fact]
    public async Task APastedNameLongerThanAllowedIsRefusedWithAMessageNotCutSilently()
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.SignUpAsync("paste@example.com");
        await page.OpenApiTokensFromAvatarMenuAsync();

        await page.GetByLabel("Token name").FillAsync(new string('x', 300));
        await page.GetByRole(AriaRole.Button, new() { Name = "Issue token" }).ClickAsync();

        await Assertions.Expect(page.Locator("#name-error")).ToContainTextAsync("at most 100 characters");
        await Assertions.Expect(page.GetByLabel("Token name")).ToHaveValueAsync(new string('x', 300));
        await Assertions.Expect(page.RevealBox()).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task OnlyTheCopyButtonJustUsedSaysCopied()
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.SignUpAsync("copy@example.com");
        await page.OpenApiTokensFromAvatarMenuAsync();
        await page.IssueTokenAsync("laptop", "");
        var reveal = page.RevealBox();

        await reveal.GetByRole(AriaRole.Button, new() { Name = "Copy", Exact = true }).ClickAsync();
        await Assertions.Expect(reveal.GetByRole(AriaRole.Button, new() { Name = "✓ Copied" })).ToHaveCountAsync(1);
        await reveal.GetByRole(AriaRole.Button, new() { Name = "Copy as export PFNSTUDIO_TOKEN=…" }).ClickAsync();

        await Assertions.Expect(reveal.GetByRole(AriaRole.Button, new() { Name = "✓ Copied" })).ToHaveCountAsync(1);
        await Assertions.Expect(reveal.GetByRole(AriaRole.Button, new() { Name = "Copy", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(reveal).ToContainTextAsync("pfnstudio auth login");
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(375, 812)]
    public async Task ALeakedTokensRedNoticeIsAnAlertWithTheWholeUrlInsideThePageAndNoSeriousViolation(int width, int height)
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.SetViewportSizeAsync(width, height);
        await page.SignUpAsync("leaks@example.com");
        await page.OpenApiTokensFromAvatarMenuAsync();
        var token = await page.IssueTokenAsync(LongName, "30");

        // 200 characters, the longest URL a report may carry, with no place to break.
        var url = "https://gist.example.com/" + new string('x', 175);
        using (var scanner = new HttpClient { BaseAddress = served.BaseAddress })
        {
            using var answer = await scanner.PostAsJsonAsync("/api/v1/tokens/leaked", new { tokens = new[] { token }, url });
            Assert.Equal(System.Net.HttpStatusCode.Accepted, answer.StatusCode);
        }

        await served.App.Services.GetRequiredService<PfnStudio.Tokens.PersonalAccessTokens.LeakReports.LeakedTokenResponder>()
            .WhenQueuedReportsHandledAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await page.GotoAsync("/api-tokens");

        var notice = page.GetByRole(AriaRole.Alert, new() { Name = "was found in public and has been revoked" });
        await Assertions.Expect(notice).ToContainTextAsync("was found in public and has been revoked");
        await Assertions.Expect(notice.Locator("code.leak-url")).ToHaveTextAsync(url);
        Assert.True(await notice.EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth"), "the notice overflows its box");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        var violations = (await SeriousViolationsAsync(page, "api-tokens, leaked-token notice")).ToList();
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(375, 812)]
    public async Task EveryPageHasNoSeriousOrCriticalAccessibilityViolation(int width, int height)
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.SetViewportSizeAsync(width, height);
        var findings = new List<string>();

        await page.GotoAsync("/account/sign-in");
        findings.AddRange(await SeriousViolationsAsync(page, "sign-in"));
        await page.GotoAsync("/account/sign-up");
        findings.AddRange(await SeriousViolationsAsync(page, "sign-up"));

        await page.SignUpAsync("axe@example.com");
        await page.OpenApiTokensFromAvatarMenuAsync();
        findings.AddRange(await SeriousViolationsAsync(page, "api-tokens, empty"));
        await page.GetByLabel("Fine-grained").CheckAsync();
        await page.GetByLabel("Only chosen projects").CheckAsync();
        findings.AddRange(await SeriousViolationsAsync(page, "api-tokens, fine-grained choices open"));
        await page.GetByLabel("Full access").CheckAsync();
        await page.IssueTokenAsync(LongName, "400");
        findings.AddRange(await SeriousViolationsAsync(page, "api-tokens, token revealed"));
        await page.GotoAsync("/api-tokens");
        await page.Locator("details.activity summary").ClickAsync();
        findings.AddRange(await SeriousViolationsAsync(page, "api-tokens, list and activity"));
        foreach (var path in (string[])["/account", "/account/two-factor", "/organizations", "/organizations/pfnstudio/members"])
        {
            await page.GotoAsync(path);
            findings.AddRange(await SeriousViolationsAsync(page, path));
        }

        Assert.Empty(findings);
    }

    private static async Task<IEnumerable<string>> SeriousViolationsAsync(IPage page, string where)
    {
        var results = await page.RunAxe();
        return results.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{where}: {v.Id} ({v.Impact}) at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}");
    }

    private static async Task AssertInsideAsync(ILocator inner, ILocator outer, string what)
    {
        var a = await inner.BoundingBoxAsync() ?? throw new InvalidOperationException($"{what} is not rendered");
        var b = await outer.BoundingBoxAsync() ?? throw new InvalidOperationException("the card is not rendered");
        Assert.True(a.X >= b.X - 0.5 && a.X + a.Width <= b.X + b.Width + 0.5,
            $"{what} spans x {a.X:F0}–{a.X + a.Width:F0}, outside the card's {b.X:F0}–{b.X + b.Width:F0}");
    }
}
