using System.Diagnostics;

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
}
