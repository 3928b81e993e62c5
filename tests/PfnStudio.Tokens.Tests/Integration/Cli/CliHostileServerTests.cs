using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Cli;

/// <summary>
/// The CLI against a hostile or broken server on a real loopback socket (Kestrel, port 0): escape sequences in
/// every string it shows, a huge or endless body, a stalled answer, HTML, <c>null</c>, wrong types, an unknown
/// charset, and the token echoed back in disguise. Each is one line and a documented exit code; nothing raw
/// reaches the terminal.
/// </summary>
public sealed class CliHostileServerTests
{
    private const string Token = "pfnstudio_pat_AbC123xYz789SECRETsecretSECRETse";

    private const string Me = """{"user":{"id":"u1","email":"ada@example.com"},"token":{"name":"ci","prefix":"AbC123xYz789","scopes":["pat"],"createdAt":"2026-11-29T12:00:00Z","expiresAt":null}}""";

    // ESC (a screen clear and a window title), BEL, CR, a C1 CSI, DEL and a right-to-left override.
    private const string Nasty = "ok\u001b[2J\u001b]0;pwned\u0007\rfake\u009b31m\u007f\u202eevil";

    [Fact]
    public async Task EscapeSequencesInAProblemDetailAreShownVisiblyOnOneLine()
    {
        await using var server = await HostileServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/problem+json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new { title = "Bad", detail = Nasty }));
        });

        var result = await server.RunAsync("whoami");

        Assert.Equal(7, result.ExitCode);
        Assert.Equal([@"refused (400): ok\x1b[2J\x1b]0;pwned\x07 fake\x9b31m\x7f\u202eevil"], result.ErrorLines);
        AssertNoControlCharacters(result);
    }

    [Fact]
    public async Task EscapeSequencesInTableCellsAreShownVisiblyAndTheTableStaysAligned()
    {
        var body = JsonSerializer.Serialize(new
        {
            items = new[]
            {
                new { slug = "evil\r\nproject", organization = new { slug = "acme", name = Nasty } },
                new { slug = "plain", organization = new { slug = "acme", name = "Acme" } },
            },
        });
        await using var server = await HostileServer.StartAsync(context => Json(context, 200, body));

        var result = await server.RunAsync("projects", "list");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, result.OutLines.Length);
        Assert.StartsWith(@"evil\x0d\x0aproject  acme          ok\x1b[2J", result.OutLines[1], StringComparison.Ordinal);
        Assert.Equal(result.OutLines[0].IndexOf("ORGANIZATION", StringComparison.Ordinal), result.OutLines[2].IndexOf("acme", StringComparison.Ordinal));
        AssertNoControlCharacters(result);
    }

    [Fact]
    public async Task JsonOutputHasControlCharactersEscapedInsideItsStrings()
    {
        var body = Me.Replace("ada@example.com", "ada\\u001b[31m\u009b\u202e@example.com", StringComparison.Ordinal);
        await using var server = await HostileServer.StartAsync(context => Json(context, 200, body));

        var json = await server.RunAsync("whoami", "--json");
        var table = await server.RunAsync("whoami");

        Assert.True(json.ExitCode == 0, json.ToString());
        AssertNoControlCharacters(json);
        Assert.DoesNotContain('\u202e', json.Out);
        using var parsed = JsonDocument.Parse(json.Out);
        Assert.Equal("ada\u001b[31m\u009b\u202e@example.com", parsed.RootElement.GetProperty("user").GetProperty("email").GetString());
        Assert.Contains(@"user          ada\x1b[31m\x9b\u202e@example.com", table.OutLines);
    }

    [Fact]
    public async Task AChallengeDescriptionWithEscapesIsShownVisibly()
    {
        using var http = new HttpClient(new ScriptedHandler(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Bearer realm=\"pfnstudio\", error=\"invalid_token\", error_description=\"gone\u001b[2J\u0007\u009b\"");
            return response;
        }));

        var result = await CliHarness.RunAsync(http, ["whoami"], CliHarness.TokenEnvironment(Token));

        Assert.Equal(4, result.ExitCode);
        Assert.Equal([@"token refused (401): gone\x1b[2J\x07\x9b. Issue a new token at http://localhost:5000/api-tokens"], result.ErrorLines);
    }

    [Fact]
    public async Task AHugeBodyIsCutOffAt8MiBWithOneLine()
    {
        var written = 0L;
        var read = new long[1];
        await using var server = await HostileServer.StartAsync(async context =>
        {
            // No Content-Length (chunked) and no end: only the CLI's cap stops it.
            context.Response.ContentType = "application/json";
            var chunk = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
            await context.Response.Body.WriteAsync("{\"items\":["u8.ToArray());
            while (!context.RequestAborted.IsCancellationRequested && written < 600L * 1024 * 1024)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                written += chunk.Length;
            }
        });
        var declared = await HostileServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = 100L * 1024 * 1024;
            await context.Response.Body.FlushAsync();
        });

        using var counting = new HttpClient(new CountingHandler(new SocketsHttpHandler(), read));
        var endless = await CliHarness.RunAsync(counting, ["projects", "list", "--json"],
            new Dictionary<string, string> { ["PFNSTUDIO_TOKEN"] = Token, ["PFNSTUDIO_URL"] = server.Url });
        var tooLong = await declared.RunAsync("projects", "list");
        await declared.DisposeAsync();

        Assert.Equal(1, endless.ExitCode);
        Assert.Equal(["the server's answer from /api/v1/projects is larger than 8 MiB; stopped reading it"], endless.ErrorLines);
        Assert.Equal("", endless.Out);
        // It read the cap and at most one more buffer, then hung up.
        Assert.InRange(read[0], 8L * 1024 * 1024, (8L * 1024 * 1024) + (256 * 1024));
        Assert.Equal(1, tooLong.ExitCode);
        Assert.Equal(["the server's answer from /api/v1/projects is larger than 8 MiB; stopped reading it"], tooLong.ErrorLines);
    }

    [Fact]
    public async Task AStalledAnswerEndsAtTheTimeoutWithExitEight()
    {
        await using var server = await HostileServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"user\":");
            await context.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        });
        var clock = Stopwatch.StartNew();

        var result = await server.RunAsync("whoami", "--timeout", "1");

        Assert.Equal(8, result.ExitCode);
        Assert.Equal([$"no complete answer from {server.Url} within 1 s (--timeout)"], result.ErrorLines);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(15));
    }

    public static TheoryData<string, string, string> NotTheExpectedJson => new()
    {
        { "text/html; charset=utf-8", "<html><body>Sign in to the hotel Wi-Fi</body></html>",
            "the server's answer from /api/v1/me is text/html, not JSON: is {0} a PFN Studio server? (a proxy or a network login page may be in the way)" },
        { "application/json", "null", "the server's answer is not what this CLI understands (from /api/v1/me: null where an object was expected)" },
        { "application/json", """{"user":null,"token":{"name":"ci","prefix":"p","scopes":[],"createdAt":"2026-11-29T12:00:00Z"}}""",
            "the server's answer is not what this CLI understands (from /api/v1/me: not the expected JSON at $.user)" },
        { "application/json", """{"user":{"id":5},"token":{}}""", "the server's answer is not what this CLI understands (from /api/v1/me: not the expected JSON at $.user.id)" },
        { "application/json", "[1, 2, 3]", "the server's answer is not what this CLI understands (from /api/v1/me: not the expected JSON)" },
        { "application/json; charset=x-klingon", Me, "the server's answer from /api/v1/me is in an unknown charset \"x-klingon\"" },
    };

    [Theory]
    [MemberData(nameof(NotTheExpectedJson))]
    public async Task ABodyThatIsNotTheExpectedJsonIsOneLineAndExitOneInJsonModeToo(string contentType, string body, string line)
    {
        await using var server = await HostileServer.StartAsync(async context =>
        {
            context.Response.Headers.ContentType = contentType;
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body));
        });

        var table = await server.RunAsync("whoami");
        var json = await server.RunAsync("whoami", "--json");

        var expected = line.Replace("{0}", server.Url, StringComparison.Ordinal);
        Assert.Equal(1, table.ExitCode);
        Assert.Equal([expected], table.ErrorLines);
        Assert.Equal(1, json.ExitCode);
        Assert.Equal([expected], json.ErrorLines);
        Assert.Equal("", json.Out);
    }

    [Fact]
    public async Task AnErrorInAnUnknownCharsetStillGetsItsStatusLine()
    {
        await using var server = await HostileServer.StartAsync(context =>
        {
            context.Response.StatusCode = 503;
            context.Response.Headers.ContentType = "application/problem+json; charset=x-klingon";
            return context.Response.WriteAsync("{\"detail\":\"down\"}");
        });

        var result = await server.RunAsync("whoami");

        Assert.Equal(9, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.StartsWith("server busy (503): ", result.ErrorLines[0], StringComparison.Ordinal);
    }

    public static TheoryData<string> Echoes => new()
    {
        Token.ToUpperInvariant(),
        Token.ToLowerInvariant(),
        Uri.EscapeDataString(Token).Replace("_", "%5F", StringComparison.Ordinal),
        string.Concat(Token.Select(c => $"%{(int)c:x2}")),
        "Bearer%20" + Token,
        "xx" + Token[26..] + "yy",
        string.Concat(Token.Select(c => $"\\u{(int)c:x4}")),
    };

    [Theory]
    [MemberData(nameof(Echoes))]
    public async Task TheTokenIsRedactedHoweverTheServerEchoesIt(string echo)
    {
        await using var server = await HostileServer.StartAsync(context => context.Request.Path == "/api/v1/me"
            ? Json(context, 400, JsonSerializer.Serialize(new { title = "Bad", detail = $"your token {echo} is bad" }))
            : Json(context, 200, JsonSerializer.Serialize(new
            {
                items = new[] { new { slug = $"p-{echo}", organization = new { slug = "o", name = echo } } },
            })));

        var problem = await server.RunAsync("whoami");
        var table = await server.RunAsync("projects", "list");
        var json = await server.RunAsync("projects", "list", "--json");

        Assert.Equal(7, problem.ExitCode);
        foreach (var result in new[] { problem, table, json })
        {
            var all = result.Out + result.Error;
            Assert.Contains("[token]", all, StringComparison.Ordinal);
            Assert.DoesNotContain(Token[26..], all, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Token[26..], Uri.UnescapeDataString(all), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Token[26..], Regex.Unescape(all.Replace("[token]", "", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
        }
    }

    private static void AssertNoControlCharacters(CliResult result)
    {
        foreach (var c in (result.Out + result.Error).Where(c => c != '\n'))
        {
            Assert.False(c < ' ' || c is >= '\u007f' and <= '\u009f', $"raw U+{(int)c:X4} in the output:\n{result}");
        }
    }

    private static Task Json(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
        return context.Response.WriteAsync(body);
    }

    /// <summary>Counts the response body bytes the CLI reads.</summary>
    private sealed class CountingHandler(HttpMessageHandler inner, long[] read) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var counted = new StreamContent(new CountingStream(await response.Content.ReadAsStreamAsync(cancellationToken), read));
            foreach (var header in response.Content.Headers)
            {
                counted.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = counted;
            return response;
        }
    }

    private sealed class CountingStream(Stream inner, long[] read) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Count(int n)
        {
            Interlocked.Add(ref read[0], n);
            return n;
        }
    }

    /// <summary>A Kestrel server on 127.0.0.1, port 0, answering every request with one delegate.</summary>
    private sealed class HostileServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });

        private HostileServer(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }

        public static async Task<HostileServer> StartAsync(RequestDelegate answer)
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.Run(answer);
            await app.StartAsync(TestContext.Current.CancellationToken);
            return new HostileServer(app, app.Urls.Single().TrimEnd('/'));
        }

        public Task<CliResult> RunAsync(params string[] args) =>
            CliHarness.RunAsync(_http, args, new Dictionary<string, string> { ["PFNSTUDIO_TOKEN"] = Token, ["PFNSTUDIO_URL"] = Url });

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
    }
}
