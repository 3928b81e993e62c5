using System.Net;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Tests.Infrastructure;
using Serilog.Events;

namespace PfnStudio.Tokens.Tests.Integration.Infrastructure;

/// <summary>
/// Error answers carry the security headers and echo no request header; the request log records the status the
/// client got, and a client that went away is an Information line (issue 16).
/// </summary>
public sealed class ErrorResponseTests
{
    [Fact]
    public async Task AnUnhandledExceptionIsA500WithTheSecurityHeadersLoggedAs500()
    {
        await using var app = new TokensApplication();
        await using var failing = app.WithWebHostBuilder(host => host.ConfigureServices(services =>
            services.Configure<MvcOptions>(options => options.Filters.Add(new ThrowingFilter()))));
        using var client = failing.CreateClient(new() { BaseAddress = new Uri("https://localhost") });

        using var response = await client.GetAsync("/account/sign-in?boom=1", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        AssertSecurityHeaders(response);
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var line = await RequestLineAsync(app, "/account/sign-in");
        Assert.Equal(500, StatusOf(line));
        Assert.Equal(LogEventLevel.Error, line.Level);
    }

    [Fact]
    public async Task WithTheStoreGoneA503CarriesTheSecurityHeadersAndIsLoggedAs503()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        await browser.SignUpAsync("headers@example.com");
        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE \"PersonalAccessTokens\" RENAME TO \"PersonalAccessTokensAway\""));

        using var response = await browser.Client.GetAsync("/api-tokens", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        AssertSecurityHeaders(response);
        var line = await RequestLineAsync(app, "/api-tokens");
        Assert.Equal(503, StatusOf(line));
        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE \"PersonalAccessTokensAway\" RENAME TO \"PersonalAccessTokens\""));
    }

    [Fact]
    public async Task TheNeedsHttpsAnswerCarriesTheSecurityHeadersAndDoesNotEchoTheHost()
    {
        await using var app = new TokensApplication();
        using var client = app.CreateClient(new() { BaseAddress = new Uri("http://tokens.pfnstudio.example"), AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/sign-in");
        request.Headers.Host = "attacker.example";

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertSecurityHeaders(response);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("This page needs HTTPS", body, StringComparison.Ordinal);
        Assert.DoesNotContain("attacker", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(response.Headers.Concat(response.Content.Headers), h => h.Value.Any(v => v.Contains("attacker", StringComparison.OrdinalIgnoreCase)));
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/account/sign-in")]
    [InlineData("POST", "/account/sign-in")]
    [InlineData("GET", "/api-tokens")]
    [InlineData("GET", "/api/v1/me")]
    [InlineData("GET", "/api/v1/projects/pfnstudio-demo/models")]
    [InlineData("POST", "/projects/pfnstudio-demo/runs/v0_1/predict")]
    [InlineData("GET", "/openapi/v1.json")]
    [InlineData("GET", "/healthz")]
    [InlineData("GET", "/no-such-page")]
    public async Task NoRequestHeaderIsEchoedIntoAResponse(string method, string path)
    {
        await using var app = new TokensApplication();
        foreach (var baseAddress in new[] { "https://marker0host.example", "http://marker0host.example" })
        {
            using var client = app.CreateClient(new() { BaseAddress = new Uri(baseAddress), AllowAutoRedirect = false });
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            foreach (var header in new[] { "User-Agent", "Referer", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Original-URL", "Accept-Language", "X-Request-Id", "Origin" })
            {
                request.Headers.TryAddWithoutValidation(header, header is "Referer" or "Origin" ? "https://marker1.example/marker1" : "marker1");
            }

            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            var headers = string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));
            Assert.DoesNotContain("marker", body + headers, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task AClientThatGoesAwayMidBodyIsAnInformationLineNotAnError()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("gone@example.com");

        // Only what the request logs counts: a fresh PostgreSQL database makes EF Core log its first migration
        // history query as a failed command at start.
        var errorsBefore = app.Logs.Events.Count(e => e.Level >= LogEventLevel.Error);
        using var cancel = new CancellationTokenSource();
        using var content = new StreamContent(new EndlessStream());
        content.Headers.ContentType = new("application/json");

        var sending = api.PostAsync("/projects/pfnstudio-demo/runs/v0_1/predict", content, cancel.Token);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

        var line = await RequestLineAsync(app, "/projects/pfnstudio-demo/runs/v0_1/predict");
        Assert.Equal(LogEventLevel.Information, line.Level);
        Assert.NotEqual(500, StatusOf(line));
        Assert.Equal(errorsBefore, app.Logs.Events.Count(e => e.Level >= LogEventLevel.Error));
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    // The request log's line for the path (it is written as the response completes, so wait for it briefly).
    private static async Task<LogEvent> RequestLineAsync(TokensApplication app, string path)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var line = app.Logs.Events.LastOrDefault(e =>
                e.MessageTemplate.Text.StartsWith("HTTP ", StringComparison.Ordinal)
                && e.Properties.TryGetValue("RequestPath", out var value) && value.ToString() == $"\"{path}\"");
            if (line is not null)
            {
                return line;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"no request log line for {path}");
    }

    private static int StatusOf(LogEvent line) => int.Parse(line.Properties["StatusCode"].ToString(), System.Globalization.CultureInfo.InvariantCulture);

    private sealed class ThrowingFilter : IResourceFilter
    {
        public void OnResourceExecuting(ResourceExecutingContext context)
        {
            if (context.HttpContext.Request.Query.ContainsKey("boom"))
            {
                throw new InvalidOperationException("A bug, for the test.");
            }
        }

        public void OnResourceExecuted(ResourceExecutedContext context)
        {
        }
    }

    // A JSON body that never ends, a byte at a time.
    private sealed class EndlessStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Thread.Sleep(20);
            buffer[offset] = (byte)'[';
            return 1;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(20, cancellationToken);
            buffer.Span[0] = (byte)'[';
            return 1;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
