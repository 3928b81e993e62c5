using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace PfnStudio.Tokens.Tests.Browser;

/// <summary>/api-tokens in Chromium, checked the way a person uses it: by role, label and visible text.</summary>
public sealed class ApiTokensPageTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string RevealText = "Token issued. Keep it secret, you can't retrieve it again.";

    [Fact]
    public async Task ANewUserIssuesCopiesAndUsesATokenFromTheAvatarMenu()
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.SignUpAsync("ada.lovelace@example.com");
        await page.OpenApiTokensFromAvatarMenuAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API tokens", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("No tokens yet")).ToBeVisibleAsync();
        await Expect(page.GetByText("Good practice: one token per machine or CI job")).ToContainTextAsync("never commit a token");

        var token = await page.IssueTokenAsync("laptop", "30");
        AssertIsToken(token);
        var reveal = page.RevealBox();
        await Expect(reveal).ToContainTextAsync(RevealText);
        await Expect(reveal).ToHaveAttributeAsync("aria-live", "polite");
        await Expect(page.GetByLabel("Token “laptop”")).ToHaveValueAsync(token);
        Assert.Equal("monospace", await page.RevealedTokenField().EvaluateAsync<string>(
            "e => getComputedStyle(e).fontFamily.includes('monospace') ? 'monospace' : getComputedStyle(e).fontFamily"));

        var copy = reveal.GetByRole(AriaRole.Button, new() { Name = "Copy", Exact = true });
        await copy.ClickAsync();
        await Expect(reveal.GetByText("Copied the token.")).ToBeVisibleAsync();
        await Expect(reveal.GetByRole(AriaRole.Button, new() { Name = "✓ Copied" })).ToBeVisibleAsync();
        AssertSecretEqual(token, await page.ClipboardAsync(), "The clipboard");

        await reveal.GetByRole(AriaRole.Button, new() { Name = "Copy as export PFNSTUDIO_TOKEN=…" }).ClickAsync();
        await Expect(reveal.GetByText("Copied the export line.")).ToBeVisibleAsync();
        AssertSecretEqual($"export PFNSTUDIO_TOKEN=\"{token}\"", await page.ClipboardAsync(), "The clipboard");
        await Expect(copy).ToBeVisibleAsync(); // "Copied" lasts a moment, then the label comes back.

        var row = await page.ActiveRows().AllAsync();
        Assert.Equal(["laptop", $"{token[..26]}…", "pat (full access)", "2026-12-29", "2026-11-29", "Never", "Revoke Regenerate Rename"], await Assert.Single(row).CellTextsAsync());

        using var api = served.CreateApiClient(token);
        using var me = await api.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        using var body = JsonDocument.Parse(await me.Content.ReadAsStringAsync());
        Assert.Equal("ada.lovelace@example.com", body.RootElement.GetProperty("user").GetProperty("email").GetString());

        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Active tokens" })).ToBeVisibleAsync();
        await Expect(page.RevealBox()).ToHaveCountAsync(0);
        Assert.False((await page.ContentAsync()).Contains(token, StringComparison.Ordinal), "The page still holds the plaintext token.");
        await Expect(page.ActiveRows()).ToHaveCountAsync(1);
        served.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task BackForwardAndReloadAfterIssuingNeverShowTheTokenAgain()
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.SignUpAsync("grace@example.com");
        await page.GotoAsync("/api-tokens");
        var token = await page.IssueTokenAsync("ci", "");

        // Back to the form the token was issued from.
        await page.GoBackAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API tokens" })).ToBeVisibleAsync();
        await AssertNoPlaintextAsync(page, token);

        // Forward to where the reveal was: the page is fetched again, without re-posting the form.
        await page.GoForwardAsync();
        await Expect(page.ActiveRows()).ToHaveCountAsync(1);
        await AssertNoPlaintextAsync(page, token);

        // Elsewhere, then Back (a back/forward cache restore must not show it either).
        await page.GotoAsync("/api-tokens");
        token = await page.IssueTokenAsync("laptop", "7");
        await page.GetByRole(AriaRole.Link, new() { Name = "PFN Studio" }).ClickAsync();
        await page.AssertAtAsync("/");
        await page.GoBackAsync();
        await Expect(page.ActiveRows()).ToHaveCountAsync(2);
        await AssertNoPlaintextAsync(page, token);

        await page.ReloadAsync();
        await Expect(page.ActiveRows()).ToHaveCountAsync(2);
        await AssertNoPlaintextAsync(page, token);
        Assert.Equal(2, await served.App.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
        served.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task BackFromAnotherPageShowsNoTokenEvenFromTheBackForwardCache()
    {
        await using var served = await ServedApplication.StartAsync(chromium, backForwardCache: true);
        var page = served.Page;
        await page.AddInitScriptAsync("addEventListener('pageshow', e => { if (e.persisted) window.restoredFromCache = true; });");
        await page.SignUpAsync("bfcache@example.com");
        await page.GotoAsync("/api-tokens");
        var token = await page.IssueTokenAsync("laptop", "30");

        await page.GetByRole(AriaRole.Link, new() { Name = "PFN Studio" }).ClickAsync();
        await page.AssertAtAsync("/");
        // A restored page fires no load event; wait for the commit, then for the page to be shown.
        await page.GoBackAsync(new() { WaitUntil = WaitUntilState.Commit });
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API tokens" })).ToBeVisibleAsync();
        if (!await page.EvaluateAsync<bool>("() => window.restoredFromCache === true"))
        {
            Assert.Skip("This Chromium did not restore the no-store page from its back/forward cache.");
        }

        await Expect(page.GetByText("The token's value is no longer shown.")).ToBeVisibleAsync();
        Assert.False((await page.ContentAsync()).Contains(token, StringComparison.Ordinal), "The page still holds the plaintext token.");
        served.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task RevokeAsksForConfirmationNamingTheTokenThenMovesItToExpiredAndRevoked()
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.SignUpAsync("alan@example.com");
        await page.GotoAsync("/api-tokens");
        var token = await page.IssueTokenAsync("laptop", "30");
        using var api = served.CreateApiClient(token);

        var questions = new List<string>();
        var accept = false;
        page.Dialog += async (_, dialog) =>
        {
            questions.Add($"{dialog.Type}: {dialog.Message}");
            if (accept)
            {
                await dialog.AcceptAsync();
            }
            else
            {
                await dialog.DismissAsync();
            }
        };

        var revoke = page.ActiveRows().Filter(new() { HasText = "laptop" }).GetByRole(AriaRole.Button, new() { Name = "Revoke laptop" });
        await revoke.ClickAsync();
        Assert.Equal("confirm: Revoke token “laptop”? Anything using it stops working at once.", Assert.Single(questions));
        await Expect(page.ActiveRows()).ToHaveCountAsync(1);
        using (var stillValid = await api.GetAsync("/api/v1/me"))
        {
            Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
        }

        accept = true;
        await revoke.ClickAsync();
        await Expect(page.GetByText("Token “laptop” revoked.")).ToBeVisibleAsync();
        Assert.Equal(2, questions.Count);
        await Expect(page.ActiveRows()).ToHaveCountAsync(0);
        await Expect(page.GetByText("No active tokens.")).ToBeVisibleAsync();

        // The ended list starts collapsed; opening it shows the revoked token.
        var ended = page.GetByRole(AriaRole.Table, new() { Name = "Expired and revoked tokens" });
        await Expect(ended).ToBeHiddenAsync();
        await page.GetByText("Expired and revoked (1)").ClickAsync();
        var endedRow = ended.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Cell) });
        Assert.Equal(["laptop", $"{token[..26]}…", "pat (full access)", "Revoked 2026-11-29"], await endedRow.CellTextsAsync());

        using var after = await api.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        served.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task TheKeyboardAloneReachesEveryControlIssuesAndCopiesAToken()
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.SignUpAsync("linus@example.com");
        await served.App.IssueTokenAsync(await UserIdAsync(served, "linus@example.com"), "old", 30);

        // Home → avatar menu → API tokens, by keyboard; Escape closes the menu on the way.
        await TabUntilAsync(page, "summary:L: account menu for linus@example.com");
        var menuLink = page.GetByRole(AriaRole.Link, new() { Name = "API tokens", Exact = true });
        await page.Keyboard.PressAsync("Enter");
        await Expect(menuLink).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(menuLink).ToBeHiddenAsync();
        Assert.Equal("summary:L: account menu for linus@example.com", await FocusedAsync(page));
        await page.Keyboard.PressAsync("Enter");
        await TabUntilAsync(page, "a:API tokens");
        await page.Keyboard.PressAsync("Enter");
        await page.AssertAtAsync("/api-tokens");

        // Every visible control is reached by Tab, in reading order, and every field has a label.
        var reached = await TabThroughPageAsync(page);
        Assert.Equal(
            [
                "a:Skip to content", "a:PFN Studio", "summary:L: account menu for linus@example.com", "input:Token name",
                "input:Expires in (days)", "input:Full access", "button:Issue token", "button:Revoke old",
                "summary:Regenerate old", "summary:Rename old", "summary:Recent activity (1)",
            ],
            reached);
        Assert.Equal(0, await page.EvaluateAsync<int>(
            "() => [...document.querySelectorAll('input:not([type=hidden]), textarea, select')].filter(e => e.labels.length === 0).length"));

        await page.ReloadAsync();
        await TabUntilAsync(page, "input:Token name");
        await page.Keyboard.TypeAsync("laptop");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("30");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.RevealBox()).ToContainTextAsync(RevealText);
        var token = await page.RevealedTokenField().InputValueAsync();
        AssertIsToken(token);

        // Focus lands on the news; Tab reaches the token, then the copy buttons.
        Assert.Equal($"h2:{RevealText}", await FocusedAsync(page));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("textarea:Token “laptop”", await FocusedAsync(page));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("button:Copy", await FocusedAsync(page));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByText("Copied the token.")).ToBeVisibleAsync();
        AssertSecretEqual(token, await page.ClipboardAsync(), "The clipboard");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Space");
        await Expect(page.GetByText("Copied the export line.")).ToBeVisibleAsync();
        AssertSecretEqual($"export PFNSTUDIO_TOKEN=\"{token}\"", await page.ClipboardAsync(), "The clipboard");
        served.AssertNoConsoleErrors();
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(375, 812)]
    public async Task TheKeyboardAloneIssuesAFineGrainedTokenForOneProjectAndItCanDoOnlyThat(int width, int height)
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.SetViewportSizeAsync(width, height);
        await page.SignUpAsync("grace@example.com");
        await page.GotoAsync("/api-tokens");

        // Fine-grained is one arrow key away; what it needs appears only then.
        var organization = page.GetByLabel("PFN Studio pfnstudio");
        await Expect(organization).ToBeHiddenAsync();
        await TabUntilAsync(page, "input:Token name");
        await page.Keyboard.TypeAsync("demo-pusher");
        await TabUntilAsync(page, "input:Full access");
        await page.Keyboard.PressAsync("ArrowDown");
        Assert.Equal("input:Fine-grained", await FocusedAsync(page));
        await Expect(organization).ToBeVisibleAsync();
        await Expect(organization).ToBeCheckedAsync();
        await Expect(page.GetByLabel("pfnstudio-demo")).ToBeHiddenAsync();

        // Tab order: organization, project scope, then (once "Only chosen projects") the project checkboxes, permissions.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("input:PFN Studio pfnstudio", await FocusedAsync(page));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("input:All projects", await FocusedAsync(page));
        await page.Keyboard.PressAsync("ArrowDown");
        Assert.Equal("input:Only chosen projects", await FocusedAsync(page));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("input:pfnstudio-demo", await FocusedAsync(page));
        await page.Keyboard.PressAsync("Space");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("input:read", await FocusedAsync(page));
        await Expect(page.GetByLabel("read", new() { Exact = true })).ToBeCheckedAsync();
        await page.Keyboard.PressAsync("Space");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("input:push", await FocusedAsync(page));
        await page.Keyboard.PressAsync("Space");
        await TabUntilAsync(page, "button:Issue token");

        // Nothing in the card is wider than the screen.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            $"the page scrolls sideways at {width} px");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.RevealBox()).ToContainTextAsync("Scopes: push \u00b7 pfnstudio / pfnstudio-demo");
        var token = await page.RevealedTokenField().InputValueAsync();
        AssertIsToken(token);
        await Expect(page.Locator("table.tokens td.scopes")).ToHaveTextAsync("push \u00b7 pfnstudio / pfnstudio-demo");

        using var api = served.App.CreateClientWithToken(token);
        using var listed = await api.GetAsync("/api/v1/projects/pfnstudio-demo/runs");
        Assert.Equal(HttpStatusCode.Forbidden, listed.StatusCode);
        Assert.EndsWith("scope=\"read\"", listed.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        served.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task ARefusedFormSaysWhyBesideTheFieldAndPutsTheCursorThere()
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.SignUpAsync("refused@example.com");
        await page.GotoAsync("/api-tokens");

        await page.GetByLabel("Expires in (days)").FillAsync("30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Issue token" }).ClickAsync();
        var name = page.GetByLabel("Token name");
        await Expect(name).ToBeFocusedAsync();
        await Expect(name).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(name).ToHaveAccessibleDescriptionAsync("Enter a token name.");
        await Expect(page.GetByLabel("Expires in (days)")).ToHaveValueAsync("30");

        await page.IssueTokenAsync("laptop", "30");
        await page.GetByLabel("Token name").FillAsync("laptop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Issue token" }).ClickAsync();
        await Expect(page.GetByLabel("Token name")).ToHaveAccessibleDescriptionAsync(
            "You already have an active token named \"laptop\". Choose another name or revoke that one first.");
        await Expect(page.RevealBox()).ToHaveCountAsync(0);
        await Expect(page.ActiveRows()).ToHaveCountAsync(1);
        served.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task ANameWithMarkupIsShownAsText()
    {
        const string name = "<img src=x onerror=alert(1)><b>bold</b>";
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add($"{dialog.Type}: {dialog.Message}");
            await dialog.DismissAsync();
        };
        await page.SignUpAsync("markup@example.com");
        await page.GotoAsync("/api-tokens");
        await page.IssueTokenAsync(name, "30");

        await Expect(page.RevealBox().GetByText($"Token “{name}”")).ToBeVisibleAsync();
        var row = page.ActiveRows();
        Assert.Equal(name, (await row.CellTextsAsync())[0]);
        Assert.Equal(0, await page.Locator("main img, main b").CountAsync());

        await row.GetByRole(AriaRole.Button, new() { Name = $"Revoke {name}" }).ClickAsync();
        Assert.Equal([$"confirm: Revoke token “{name}”? Anything using it stops working at once."], dialogs);
        served.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task WhereTheClipboardIsRefusedTheTokenIsSelectedForCtrlC()
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.AddInitScriptAsync(
            "navigator.clipboard.writeText = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'));");
        await page.SignUpAsync("blocked@example.com");
        await page.GotoAsync("/api-tokens");
        var token = await page.IssueTokenAsync("laptop", "30");

        await page.RevealBox().GetByRole(AriaRole.Button, new() { Name = "Copy", Exact = true }).ClickAsync();
        await Expect(page.GetByText("Copying was blocked: the token is selected, press Ctrl+C.")).ToBeVisibleAsync();
        await Expect(page.RevealedTokenField()).ToBeFocusedAsync();
        AssertSecretEqual(token, await page.EvaluateAsync<string>(
            "() => { const e = document.activeElement; return e.value.substring(e.selectionStart, e.selectionEnd); }"), "The selection");
        served.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task HintsWarnAboutLongExpiriesAndTokensThatExpireWithinAWeek()
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        await page.SignUpAsync("hints@example.com");
        await page.GotoAsync("/api-tokens");

        var expires = page.GetByLabel("Expires in (days)");
        await expires.FillAsync("365");
        await Expect(page.GetByText("More than 90 days: a leaked token stays useful that long.")).ToBeVisibleAsync();
        await expires.FillAsync("90");
        await Expect(page.GetByText("a leaked token stays useful")).ToHaveCountAsync(0);
        await Expect(page.GetByText("Blank means the token never expires: it works until someone revokes it.")).ToBeVisibleAsync();

        await page.IssueTokenAsync("yearly", "365");
        await Expect(page.RevealBox()).ToContainTextAsync("Tokens that live longer than 90 days are riskier if they leak");
        await page.IssueTokenAsync("monthly", "30");
        await Expect(page.RevealBox()).Not.ToContainTextAsync("longer than 90 days");
        await page.IssueTokenAsync("weekly", "7");

        await Expect(page.ActiveRows().Filter(new() { HasText = "weekly" })).ToContainTextAsync("expires in 7 days");
        await Expect(page.ActiveRows().Filter(new() { HasText = "monthly" })).Not.ToContainTextAsync("expires in");
        await Expect(page.ActiveRows().Filter(new() { HasText = "yearly" })).Not.ToContainTextAsync("expires in");
        served.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task EverythingComesFromTheHostUnderAPolicyWithoutInlineScript()
    {
        await using var served = await ServedApplication.StartAsync(chromium);
        var page = served.Page;
        var requests = new List<string>();
        page.Request += (_, request) => requests.Add(request.Url);
        await page.SignUpAsync("csp@example.com");
        var response = await page.GotoAsync("/api-tokens");
        await page.IssueTokenAsync("laptop", "30");

        var policy = await response!.HeaderValueAsync("content-security-policy");
        Assert.NotNull(policy);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("script:not([src]), [style]").CountAsync());
        Assert.Equal(1, await page.Locator("script[src^='/js/api-tokens.js']").CountAsync());
        Assert.Equal(1, await page.Locator("link[rel=stylesheet][href^='/css/site.css']").CountAsync());
        Assert.All(requests, url => Assert.StartsWith(served.BaseAddress.ToString(), url, StringComparison.Ordinal));

        // The page's own script runs (focus moved to the reveal box) and broke no rule.
        Assert.Equal("reveal-title", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        served.AssertNoConsoleErrors();

        // The browser enforces the policy, and a violation would be seen: an injected inline script is refused.
        await page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.injected = true'; document.body.append(s); }");
        Assert.False(await page.EvaluateAsync<bool>("() => window.injected === true"));
        Assert.Contains(served.ConsoleErrors, e => e.Contains("Content Security Policy", StringComparison.Ordinal));
    }

    // Secrets are compared without echoing them into test output, even throwaway ones.
    private static void AssertIsToken(string value) =>
        Assert.True(ServedApplication.TokenPattern().IsMatch(value), $"The revealed value ({value.Length} characters) is not pfnstudio_pat_ + 38 base62 characters.");

    private static void AssertSecretEqual(string expected, string? actual, string what) =>
        Assert.True(expected == actual, $"{what} holds {actual?.Length ?? 0} characters that are not the expected {expected.Length}.");

    private static async Task AssertNoPlaintextAsync(IPage page, string token)
    {
        Assert.False((await page.ContentAsync()).Contains(token, StringComparison.Ordinal), "The page still holds the plaintext token.");
        Assert.Equal(0, await page.EvaluateAsync<int>(
            "t => [...document.querySelectorAll('input, textarea')].filter(e => e.value.includes(t)).length", token));
        await Expect(page.RevealBox()).ToHaveCountAsync(0);
    }

    private static async Task<string> UserIdAsync(ServedApplication served, string email) =>
        await served.App.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    private static Task<string?> FocusedAsync(IPage page) => page.EvaluateAsync<string?>(
        """
        () => {
          const e = document.activeElement;
          if (!e || e === document.body) return null;
          const label = e.getAttribute('aria-label') || (e.labels && e.labels.length ? e.labels[0].textContent : e.textContent);
          return e.tagName.toLowerCase() + ':' + label.trim().replace(/\s+/g, ' ');
        }
        """);

    private static async Task TabUntilAsync(IPage page, string target)
    {
        var seen = new List<string?>();
        for (var i = 0; i < 30; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await FocusedAsync(page);
            if (focused == target)
            {
                return;
            }

            seen.Add(focused);
        }

        Assert.Fail($"Tab never reached {target}; it went through: {string.Join(" | ", seen)}");
    }

    /// <summary>Presses Tab from the top of the page until focus leaves it; returns each control reached.</summary>
    private static async Task<List<string>> TabThroughPageAsync(IPage page)
    {
        var reached = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await FocusedAsync(page);
            if (focused is null || reached.Contains(focused))
            {
                break;
            }

            reached.Add(focused);
        }

        return reached;
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
