using System.Diagnostics;
using System.Globalization;

namespace PfnStudio.Tokens.Bench;

/// <summary>One wrk run's figures, parsed from the RESULT line tokens.lua prints.</summary>
internal sealed record WrkResult(long Requests, double Seconds, long Non2xx, long SocketErrors, double P50Ms, double P99Ms)
{
    public double RequestsPerSecond => Requests / Seconds;
}

/// <summary>Runs wrk (Debian package <c>wrk</c>) with a fixed number of connections on one thread.</summary>
internal static class Wrk
{
    public static async Task<string> RunAsync(Uri url, string script, string argument, int connections, int seconds)
    {
        var start = new ProcessStartInfo("wrk",
            ["-t1", $"-c{connections}", $"-d{seconds}s", "--timeout", "10s", "--latency", "-s", script, url.ToString(), "--", argument])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start wrk.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {await error}");
        }

        return await output;
    }

    public static WrkResult Parse(string output)
    {
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no RESULT line:\n{output}");
        var values = line[7..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('='))
            .ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture));
        return new WrkResult(
            (long)values["requests"],
            values["duration_us"] / 1e6,
            (long)values["non2xx"],
            (long)(values["connect"] + values["read"] + values["write"] + values["timeout"]),
            values["p50_us"] / 1000,
            values["p99_us"] / 1000);
    }
}
