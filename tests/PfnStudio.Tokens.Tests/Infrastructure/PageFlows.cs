namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>What a person does on the pages, as reusable steps.</summary>
internal static class PageFlows
{
    public static async Task<BrowserSession.Page> SignUpAsync(this BrowserSession browser, string email, string returnUrl = "/")
    {
        var page = await browser.GetAsync($"/account/sign-up?returnUrl={Uri.EscapeDataString(returnUrl)}");
        return await browser.SubmitAsync(page, "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = TokensApplication.Password,
            ["Input.ConfirmPassword"] = TokensApplication.Password,
        });
    }

    /// <summary>Opens the sign-in page and submits it.</summary>
    public static async Task<BrowserSession.Page> SignInAsync(this BrowserSession browser, string email, string password) =>
        await browser.SubmitAsync(await browser.GetAsync("/account/sign-in"), "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });

    /// <summary>Opens /account and submits the change-password form.</summary>
    public static async Task<BrowserSession.Page> ChangePasswordAsync(this BrowserSession browser, string current, string next) =>
        await browser.SubmitAsync(await browser.GetAsync("/account"), "form.change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = current,
            ["Input.NewPassword"] = next,
            ["Input.ConfirmPassword"] = next,
        });

    /// <summary>Opens /api-tokens and submits the issue form.</summary>
    public static async Task<BrowserSession.Page> IssueOnPageAsync(this BrowserSession browser, string name, string expiresInDays = "")
    {
        var page = await browser.GetAsync("/api-tokens");
        return await browser.SubmitAsync(page, "form.issue-form", new Dictionary<string, string>
        {
            ["Input.Name"] = name,
            ["Input.ExpiresInDays"] = expiresInDays,
        });
    }

    /// <summary>The plaintext shown in the reveal box, or null when there is none.</summary>
    public static string? RevealedToken(this BrowserSession.Page page) =>
        page.Document.QuerySelector(".reveal #issued-token")?.TextContent;
}
