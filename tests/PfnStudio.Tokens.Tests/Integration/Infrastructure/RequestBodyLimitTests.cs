using System.Diagnostics;
using System.Net;
using PfnStudio.Tokens.Tests.Infrastructure;
using static PfnStudio.Tokens.Tests.Infrastructure.ProjectApiHelpers;

namespace PfnStudio.Tokens.Tests.Integration.Infrastructure;

/// <summary>
/// Bodies are capped small (64 KiB) before authentication; only an authenticated endpoint raises its own limit.
/// An anonymous caller's big body is refused without being read (issue 16: 28 MB url-encoded bodies grew the host
/// by 60 MB each). The memory bound itself is measured on Kestrel: <c>SqliteOnly/Infrastructure/OversizedBodyHostTests</c>.
/// </summary>
public sealed class RequestBodyLimitTests
{
    private const long Oversized = 28 * 1024 * 1024;

    [Theory]
    [InlineData("GET", "/api/v1/me", false, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "/api/v1/me", true, HttpStatusCode.Unauthorized)]
    [InlineData("POST", "/api/v1/projects/pfnstudio-demo/models", false, HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("POST", "/api/v1/projects/pfnstudio-demo/models", true, HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("POST", "/api/v1/projects/pfnstudio-demo/priors", false, HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("POST", "/projects/pfnstudio-demo/runs/v0_1/predict", false, HttpStatusCode.UnsupportedMediaType)] // Predict accepts only JSON: refused by routing
    [InlineData("POST", "/projects/pfnstudio-demo/runs/v0_1/predict", true, HttpStatusCode.UnsupportedMediaType)]
    public async Task ALargeUrlEncodedBodyWithoutATokenIsRefusedQuicklyAndUnread(string method, string path, bool chunked, HttpStatusCode expected)
    {
        await using var app = new TokensApplication();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new GeneratedBody(Oversized, chunked) };

        var watch = Stopwatch.StartNew();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task APredictBodyWithoutATokenIs401WhateverItsSize()
    {
        await using var app = new TokensApplication();
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/projects/pfnstudio-demo/runs/v0_1/predict",
            new GeneratedBody(Oversized, contentType: "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/account/sign-in", false)]
    [InlineData("/account/sign-in", true)]
    [InlineData("/account/sign-up", false)]
    public async Task ALargeBodyToAPageFormShowsTheFormAgainQuickly(string path, bool chunked)
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        var page = await browser.GetAsync(path);
        var form = BrowserSession.FormFields((AngleSharp.Html.Dom.IHtmlFormElement)page.Document.QuerySelector("main form")!);
        var antiforgery = form.Single(f => f.Key == "__RequestVerificationToken").Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new GeneratedBody(Oversized, chunked) };
        request.Headers.Add("RequestVerificationToken", antiforgery);

        var watch = Stopwatch.StartNew();
        using var response = await browser.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);

        // The form is not read past the cap; the page is shown again saying why.
        var again = await BrowserSession.Page.ReadAsync(response);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Contains("Request body too large", again.Text(".error-summary"), StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task AnAuthenticatedRouteStillTakesItsOwnLimit()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("big@example.com");

        // A prior of 1 MiB is past the 64 KiB cap, and is the route's documented maximum.
        using var prior = await api.PushPriorAsync(DemoProject, "big.py", "# " + new string('x', (1024 * 1024) - 3) + "\n");
        Assert.Equal(HttpStatusCode.Created, prior.StatusCode);

        // A Predict body past 64 KiB is read (and judged on its content, not refused for its size).
        var points = string.Join(",", Enumerable.Range(0, 10_000).Select(i => $"[{i}.5]"));
        using var predict = await api.PredictRawAsync(DemoProject, $"{{\"context\": {{\"x\": [{points}], \"y\": [1]}}, \"query\": {{\"x\": [[0]]}}}}");
        Assert.Equal(HttpStatusCode.BadRequest, predict.StatusCode);
        Assert.DoesNotContain("too large", await predict.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AnAuthenticatedCallerIsStillCappedOnRoutesThatDoNotRaiseTheLimit()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("cap@example.com");
        var page = await browser.GetAsync("/api-tokens");
        var fields = BrowserSession.FormFields((AngleSharp.Html.Dom.IHtmlFormElement)page.Document.QuerySelector("form.issue-form")!);
        fields.Add(new("Padding", new string('p', 15_000)));
        for (var i = 0; i < 5; i++)
        {
            fields.Add(new($"Padding{i}", new string('p', 15_000)));
        }

        var refused = await browser.PostAsync(page, (AngleSharp.Html.Dom.IHtmlFormElement)page.Document.QuerySelector("form.issue-form")!, fields);

        Assert.InRange((int)refused.Status, 400, 499);
        Assert.Equal(0, await app.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.PersonalAccessTokens)));
    }
}
