using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PfnStudio.Tokens.Bench;

/// <summary>One benchmark host process on a loopback port with its own fresh store (SQLite, or a PostgreSQL database).</summary>
internal sealed class BenchHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _logPath;

    private BenchHostProcess(Process process, int port, string databasePath, string logPath)
    {
        _process = process;
        Port = port;
        DatabasePath = databasePath;
        _logPath = logPath;
        Client = new HttpClient(ValidCallerHandler()) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    /// <summary>
    /// A handler whose connections come from 127.0.0.2. The wrong-secret flood (wrk) comes from 127.0.0.1 and uses
    /// up that address's allowance of failed verifications (then 429 for tokens not yet verified, by design), so
    /// the driver's own calls — new tokens, cold first use, revoke-to-401 — come from another address, as valid
    /// callers elsewhere on a network would.
    /// </summary>
    public static SocketsHttpHandler ValidCallerHandler() => HandlerFrom(IPAddress.Parse("127.0.0.2"));

    /// <summary>A handler whose connections come from <paramref name="source"/> (a loopback address: all of 127.0.0.0/8 is local).</summary>
    public static SocketsHttpHandler HandlerFrom(IPAddress source, int maxConnections = 64) => new()
    {
        MaxConnectionsPerServer = maxConnections,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new System.Net.IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public int Port { get; }

    public string DatabasePath { get; }

    public int ProcessId => _process.Id;

    public HttpClient Client { get; }

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}{path}");

    /// <param name="hostDll">The benchmark host.</param>
    /// <param name="directory">Where the host's folder goes.</param>
    /// <param name="name">The folder's name.</param>
    /// <param name="dummyTokens">Rows inserted at start.</param>
    /// <param name="postgres">An Npgsql connection string (its database is created by the host's migration), or null for SQLite.</param>
    public static async Task<BenchHostProcess> StartAsync(string hostDll, string directory, string name, int dummyTokens, string? postgres = null)
    {
        var folder = Directory.CreateDirectory(Path.Combine(directory, name)).FullName;
        var port = FreePort();
        var databasePath = Path.Combine(folder, "store.db");
        var logPath = Path.Combine(folder, "host.log");
        var start = new ProcessStartInfo("dotnet", [hostDll])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Sqlite"] = $"Data Source={databasePath}";
        if (postgres is not null)
        {
            start.Environment["Database__Provider"] = "Postgres";
            start.Environment["ConnectionStrings__Postgres"] = postgres;
        }

        start.Environment["Bench__DummyTokens"] = dummyTokens.ToString(CultureInfo.InvariantCulture);

        // Warnings and errors only: a console line per request would measure the console, not the scheme.
        start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        start.Environment["Serilog__WriteTo__0__Name"] = "Console";

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the benchmark host.");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var host = new BenchHostProcess(process, port, databasePath, logPath);
        await host.WaitHealthyAsync(TimeSpan.FromSeconds(180));
        return host;
    }

    /// <summary>Resident set size of the host now, in bytes (Linux <c>/proc/PID/status</c> VmRSS).</summary>
    public long WorkingSetBytes()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        _process.Refresh();
        return _process.WorkingSet64;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The benchmark host exited with {_process.ExitCode}; see {_logPath}:\n{await File.ReadAllTextAsync(_logPath)}");
            }

            try
            {
                using var response = await Client.GetAsync(new Uri("/healthz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The benchmark host did not become healthy within {timeout.TotalSeconds} s; see {_logPath}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
