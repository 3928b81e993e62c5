using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>The host as its operator runs it: <c>dotnet PfnStudio.Tokens.dll ARGS</c>, the dll beside the tests.</summary>
internal static class HostBinary
{
    /// <summary>A start description with standard output and error redirected (and input, when asked).</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args, bool redirectInput = false)
    {
        var binary = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(binary)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(binary);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>
    /// Starts the host serving on a free loopback port, its output drained, and returns once <c>/healthz</c>
    /// answers 2xx (within 60 s; otherwise the host is killed and a <see cref="TimeoutException"/> thrown).
    /// </summary>
    /// <param name="configure">Sets the host's environment (store, Argon2 cost, log level).</param>
    public static async Task<(Process Process, Uri BaseAddress)> StartServingAsync(Action<ProcessStartInfo> configure)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var start = StartInfo(["--urls", $"http://127.0.0.1:{port}"]);
        configure(start);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(process.HasExited, $"the host exited with code {(process.HasExited ? process.ExitCode : 0)}");
            try
            {
                using var health = await client.GetAsync("/healthz");
                if (health.IsSuccessStatusCode)
                {
                    return (process, baseAddress);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        process.Dispose();
        throw new TimeoutException("the host did not become healthy within 60 s");
    }
}
