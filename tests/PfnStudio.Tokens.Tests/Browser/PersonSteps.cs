using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Browser;

/// <summary>What a person does in the browser, found by role and label as they would find it.</summary>
internal static class PersonSteps
{
    /// <summary>Opens the sign-up page, fills it in and submits; lands on the home page signed in.</summary>
    public static async Task SignUpAsync(this IPage page, string email)
    {
        await page.GotoAsync("/account/sign-up");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(TokensApplication.Password);
        await page.GetByLabel("Confirm password").FillAsync(TokensApplication.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();
        try
        {
            await page.AssertAtAsync("/");
            await Assertions.Expect(page.Locator("summary.avatar")).ToBeVisibleAsync();
        }
        catch (PlaywrightException e)
        {
            // Say what the person would see instead of the home page (a validation message, an error page).
            throw new InvalidOperationException($"Sign-up did not reach the home page; {page.Url} shows: {await page.Locator("main").InnerTextAsync()}", e);
        }
    }

    /// <summary>Avatar menu → API tokens.</summary>
    public static async Task OpenApiTokensFromAvatarMenuAsync(this IPage page)
    {
        await page.Locator("summary.avatar").ClickAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Account" })
            .GetByRole(AriaRole.Link, new() { Name = "API tokens", Exact = true }).ClickAsync();
        await page.AssertAtAsync("/api-tokens");
    }

    /// <summary>
    /// Waits until the page shows <paramref name="path"/> on the host. A web-first assertion that polls, rather than
    /// a wait for the load event, which a back/forward cache restore never fires.
    /// </summary>
    public static Task AssertAtAsync(this IPage page, string path) =>
        Assertions.Expect(page).ToHaveURLAsync(new Regex("^https?://[^/]+" + Regex.Escape(path) + "$"));

    /// <summary>Fills the issue form on /api-tokens, submits it and returns the plaintext in the reveal box.</summary>
    public static async Task<string> IssueTokenAsync(this IPage page, string name, string expiresInDays)
    {
        await page.GetByLabel("Token name").FillAsync(name);
        await page.GetByLabel("Expires in (days)").FillAsync(expiresInDays);
        await page.GetByRole(AriaRole.Button, new() { Name = "Issue token" }).ClickAsync();

        // Wait for the new page's reveal box (an earlier one may still be on screen while the form posts).
        await Assertions.Expect(page.RevealBox().GetByText($"Token “{name}”", new() { Exact = true })).ToBeVisibleAsync();
        return await page.RevealedTokenField().InputValueAsync();
    }

    /// <summary>The reveal box (a status region).</summary>
    public static ILocator RevealBox(this IPage page) =>
        page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Token issued" });

    /// <summary>The read-only field holding the plaintext, inside the reveal box.</summary>
    public static ILocator RevealedTokenField(this IPage page) =>
        page.RevealBox().GetByRole(AriaRole.Textbox);

    /// <summary>The active-tokens table's body rows.</summary>
    public static ILocator ActiveRows(this IPage page) =>
        page.GetByRole(AriaRole.Region, new() { Name = "Active tokens" }).GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Cell) });

    /// <summary>The text of each cell of <paramref name="row"/>.</summary>
    public static async Task<IReadOnlyList<string>> CellTextsAsync(this ILocator row) =>
        [.. (await row.GetByRole(AriaRole.Cell).AllInnerTextsAsync()).Select(t => t.Trim())];

    /// <summary>Reads the system clipboard as the page sees it.</summary>
    public static Task<string> ClipboardAsync(this IPage page) =>
        page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
}
