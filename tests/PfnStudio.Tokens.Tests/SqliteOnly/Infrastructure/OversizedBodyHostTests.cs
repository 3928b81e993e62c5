using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.SqliteOnly.Infrastructure;

/// <summary>
/// The host binary on Kestrel (the in-memory test server has no body limit or data rate of its own): oversized
/// anonymous bodies cost no memory, and a body that trickles in is a 408 (issue 16).
/// </summary>
public sealed class OversizedBodyHostTests : IDisposable
{
    private const long OversizedBytes = 28 * 1024 * 1024;

    private readonly string _directory = Directory.CreateTempSubdirectory("pfnstudio-bodies-").FullName;

    [Fact]
    public async Task ThirtyConcurrentOversizedAnonymousBodiesAre4xxAndTheHostGrowsByLessThan100MB()
    {
        using var host = await ServedHost.StartAsync(_directory);
        using var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        for (var warm = 0; warm < 20; warm++)
        {
            // Warm every path the flood takes, so the baseline already holds what the first requests allocate.
            await SendAsync(client, HttpMethod.Get, "/api/v1/me", 1024, chunked: false);
            await SendAsync(client, HttpMethod.Post, "/account/sign-in", 1024, chunked: false);
            await SendAsync(client, HttpMethod.Post, "/projects/pfnstudio-demo/runs/v0_1/predict", 1024, chunked: false);
        }

        var before = host.ResidentBytes();
        var watch = Stopwatch.StartNew();
        (HttpMethod, string)[] targets =
        [
            (HttpMethod.Get, "/api/v1/me"),
            (HttpMethod.Post, "/api/v1/me"),
            (HttpMethod.Post, "/account/sign-in"),
            (HttpMethod.Post, "/projects/pfnstudio-demo/runs/v0_1/predict"),
            (HttpMethod.Post, "/api/v1/projects/pfnstudio-demo/priors"),
        ];
        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
        {
            var (method, path) = targets[i % targets.Length];
            return SendAsync(client, method, path, OversizedBytes, chunked: i % 2 == 1);
        }));
        var after = host.ResidentBytes();

        // A refused body may be cut off mid-upload: the connection closed is an answer too (0), a 5xx never.
        Assert.All(answers, status => Assert.True(status is 0 or (>= 400 and < 500), $"answered {status}: {string.Join(", ", answers)}"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
        Assert.True(after - before < 100L * 1024 * 1024,
            $"RSS grew from {before / (1024 * 1024)} MB to {after / (1024 * 1024)} MB; answers {string.Join(", ", answers)}");
        using var me = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task ABodyThatTricklesInIsA408NotA500()
    {
        using var host = await ServedHost.StartAsync(_directory);

        foreach (var (path, token) in new[] { ("/projects/pfnstudio-demo/runs/v0_1/predict", host.Token), ("/api/v1/projects/pfnstudio-demo/models", host.Token) })
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
            var stream = socket.GetStream();
            var head = $"POST {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n"
                + "Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

            // Kestrel's minimum body data rate is 240 bytes/s after a 5 s grace period; one byte a second is below it.
            var response = new StringBuilder();
            var buffer = new byte[4096];
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(30) && !response.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                try
                {
                    await stream.WriteAsync("{"u8.ToArray());
                }
                catch (IOException)
                {
                }

                if (socket.Available > 0)
                {
                    var read = await stream.ReadAsync(buffer);
                    response.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
                else
                {
                    await Task.Delay(1000);
                }
            }

            Assert.StartsWith("HTTP/1.1 408", response.ToString(), StringComparison.Ordinal);
        }
    }

    // The status code, or 0 when the server closed the connection before answering (a refused upload).
    private static async Task<int> SendAsync(HttpClient client, HttpMethod method, string path, long bytes, bool chunked)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new GeneratedBody(bytes, chunked) };
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The host binary on a free loopback port, with a user and a token made by its operator command line.</summary>
    private sealed class ServedHost : IDisposable
    {
        private readonly Process _process;

        private ServedHost(Process process, Uri baseAddress, string token)
        {
            _process = process;
            BaseAddress = baseAddress;
            Token = token;
        }

        public Uri BaseAddress { get; }

        public string Token { get; }

        public static async Task<ServedHost> StartAsync(string directory)
        {
            await RunOperatorAsync(directory, TokensApplication.Password + "\n", "users", "create", "flood@example.com", "--password-stdin");
            var token = (await RunOperatorAsync(directory, null, "tokens", "issue", "--user", "flood@example.com", "--name", "flood")).Trim();

            var (process, baseAddress) = await HostBinary.StartServingAsync(start => Configure(start, directory));
            return new ServedHost(process, baseAddress, token);
        }

        /// <summary>The host's resident set size (Linux <c>/proc/PID/status</c>, VmRSS).</summary>
        public long ResidentBytes()
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line["VmRSS:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) * 1024;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }

        private static ProcessStartInfo Configure(ProcessStartInfo start, string directory)
        {
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            start.Environment["ConnectionStrings__Sqlite"] = $"Data Source={Path.Combine(directory, "bodies.db")}";
            start.Environment["ConnectionStrings__Postgres"] = null;
            start.Environment["Database__Provider"] = null;
            start.Environment["Argon2__MemoryKiB"] = "64";
            start.Environment["Argon2__Iterations"] = "1";
            start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
            return start;
        }

        private static async Task<string> RunOperatorAsync(string directory, string? input, params string[] args)
        {
            using var process = Process.Start(Configure(HostBinary.StartInfo(args, redirectInput: true), directory))!;
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input);
            }

            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"{string.Join(' ', args)}: {await stderr}");
            return await stdout;
        }
    }
}
