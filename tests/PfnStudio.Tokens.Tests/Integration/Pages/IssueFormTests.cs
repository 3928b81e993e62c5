using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Pages;

public sealed class IssueFormTests
{
    public static TheoryData<string, string, string, string> BadValues => new()
    {
        // name, expires in (days), field with the message, part of the message
        { "", "", "Input.Name", "Enter a token name." },
        { "   ", "30", "Input.Name", "Enter a token name." },
        { new string('x', 101), "", "Input.Name", "at most 100 characters" },
        { "line\nbreak", "", "Input.Name", "control characters" },
        { "bell\u0007name", "", "Input.Name", "control characters" },
        { "tab\tname", "", "Input.Name", "control characters" },
        { "evil\u202Egnp.exe", "", "Input.Name", "invisible formatting characters such as text-direction overrides or zero-width characters (U+202E at position 5)" },
        { "row\u001B[2Kwiped", "", "Input.Name", "control characters such as line breaks, tabs or escape (U+001B at position 4)" },
        { "carriage\rreturn", "", "Input.Name", "control characters" },
        { "zero\u200Djoiner", "", "Input.Name", "invisible formatting characters" },
        { "line\u2028separator", "", "Input.Name", "line or paragraph separators" },
        { "Z\u0351\u0352\u0353algo", "", "Input.Name", "more than 2 combining marks in a row" },
        { "ok", "abc", "Input.ExpiresInDays", "whole number from 1 to 3650" },
        { "ok", "1.5", "Input.ExpiresInDays", "not a fraction" },
        { "ok", "0", "Input.ExpiresInDays", "whole number from 1 to 3650" },
        { "ok", "-3", "Input.ExpiresInDays", "whole number from 1 to 3650" },
        { "ok", "3651", "Input.ExpiresInDays", "whole number from 1 to 3650" },
        { "ok", "99999999999999999999", "Input.ExpiresInDays", "whole number from 1 to 3650" },
        { "ok", "1e3", "Input.ExpiresInDays", "whole number from 1 to 3650" },
        { "taken", "", "Input.Name", "already have an active token named \"taken\"" },
        { "  taken  ", "", "Input.Name", "already have an active token named \"taken\"" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task BadInputReShowsThePageWithAMessageAndIssuesNothing(string name, string days, string field, string message)
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("bad@example.com");
        await browser.IssueOnPageAsync("taken");

        var page = await browser.IssueOnPageAsync(name, days);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Null(page.RevealedToken());
        Assert.Contains(message, page.Text($"[data-valmsg-for='{field}']"));
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()));
    }

    [Theory]
    [InlineData("  laptop  ", "laptop")]
    [InlineData("<script>alert(1)</script>", "<script>alert(1)</script>")]
    [InlineData("<b>bold</b> & \"quotes\"", "<b>bold</b> & \"quotes\"")]
    [InlineData("ноутбук", "ноутбук")]
    [InlineData("笔记本电脑 💻", "笔记本电脑 💻")]
    [InlineData("مفتاح", "مفتاح")]
    [InlineData("Cafe\u0301 de\u0301ja\u0300 vu", "Café déjà vu")]
    public async Task NamesAreTrimmedAndShownExactlyAsTypedAsText(string typed, string shown)
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("names@example.com");

        var page = await browser.IssueOnPageAsync(typed, "7");

        Assert.NotNull(page.RevealedToken());
        Assert.Equal([shown], page.Texts("table.tokens td.name"));

        // As text, in a bidi isolate: a right-to-left name cannot reorder the cells around it.
        Assert.Equal([shown], page.Texts("table.tokens td.name > bdi"));
        Assert.Empty(page.Document.QuerySelectorAll("table.tokens td.name bdi *"));
        Assert.Equal(shown, await app.WithDbAsync(db => db.PersonalAccessTokens.Select(t => t.Name).SingleAsync()));
    }

    [Fact]
    public async Task ANameOfExactly100CharactersIsAccepted()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("long@example.com");

        var page = await browser.IssueOnPageAsync(new string('é', 100));

        Assert.NotNull(page.RevealedToken());
    }

    [Fact]
    public async Task AScriptPostingMissingDuplicatedOrForeignFieldsGetsMessagesNotErrors()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("script@example.com");
        var page = await browser.GetAsync("/api-tokens");
        var form = (IHtmlFormElement)page.Document.QuerySelector("form.issue-form")!;
        var antiforgery = BrowserSession.FormFields(form).Where(f => f.Key == "__RequestVerificationToken").ToList();

        var missing = await browser.PostAsync(page, form, antiforgery);
        Assert.Equal(HttpStatusCode.OK, missing.Status);
        Assert.Contains("Enter a token name.", missing.Text("[data-valmsg-for='Input.Name']"));

        var duplicated = await browser.PostAsync(page, form, antiforgery.Concat(
            [new("Input.Name", "a"), new("Input.Name", "b"), new("Input.ExpiresInDays", "5"), new("Input.ExpiresInDays", "x"), new("Input.IssueRequestId", "not-a-guid")]));
        Assert.Equal(HttpStatusCode.OK, duplicated.Status);

        var oversized = await browser.PostAsync(page, form, antiforgery.Concat([new("Input.Name", new string('n', 10_000))]));
        Assert.Equal(HttpStatusCode.OK, oversized.Status);
        Assert.Contains("at most 100 characters", oversized.Text("[data-valmsg-for='Input.Name']"));

        // Past the form limits (16 KiB a value, 64 KiB a body) the form is not read at all: a 4xx, never a 500.
        var huge = await browser.PostAsync(page, form, antiforgery.Concat([new("Input.Name", new string('n', 100_000))]));
        Assert.InRange((int)huge.Status, 400, 499);

        var noAntiforgery = await browser.PostAsync(page, form, [new("Input.Name", "forged")]);
        Assert.Equal(HttpStatusCode.BadRequest, noAntiforgery.Status);

        // Only the duplicated post could have issued (the first value of each field wins or it is refused).
        Assert.True(await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync()) <= 1);
        Assert.Equal(0, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync(t => t.Name == "forged")));
    }

    [Fact]
    public async Task RevokingAnotherUsersTokenSaysNotFoundAndChangesNothing()
    {
        await using var app = new TokensApplication();
        var victim = await app.CreateUserAsync("victim@example.com");
        var victimToken = await app.IssueTokenAsync(victim.Id, "prod");
        var victimId = await app.WithDbAsync(db => db.PersonalAccessTokens.Select(t => t.Id).SingleAsync());
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("attacker@example.com");
        await browser.IssueOnPageAsync("mine");
        var page = await browser.GetAsync("/api-tokens");

        foreach (var id in new[] { victimId.ToString(), Guid.NewGuid().ToString(), "not-a-guid", "" })
        {
            var answer = await browser.SubmitAsync(page, "table.tokens form", new Dictionary<string, string> { ["id"] = id });
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.Contains("Token not found.", answer.Text("p.notice"));
        }

        Assert.Null(await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Id == victimId).Select(t => t.RevokedAt).SingleAsync()));
        using var stillWorks = await app.CreateClientWithToken(victimToken).GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, stillWorks.StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.PersonalAccessTokens.CountAsync(t => t.Name == "mine" && t.RevokedAt == null)));
    }

    [Fact]
    public async Task RevokingTwiceSaysNotFoundTheSecondTime()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("twice@example.com");
        await browser.IssueOnPageAsync("once");
        var page = await browser.GetAsync("/api-tokens");

        var first = await browser.SubmitAsync(page, "table.tokens form");
        var second = await browser.SubmitAsync(page, "table.tokens form");

        Assert.Contains("revoked", first.Text("p.notice"));
        Assert.Contains("Token not found.", second.Text("p.notice"));
    }
}
