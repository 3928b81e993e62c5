using System.Diagnostics;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.SqliteOnly.Faults;

/// <summary>The host binary with a bad setting refuses to start, with one line on stderr naming the setting.</summary>
public sealed class MisconfigurationTests
{
    [Theory]
    [InlineData("Argon2__MemoryKiB", "1", "Argon2:MemoryKiB")]
    [InlineData("Argon2__MemoryKiB", "lots", "Argon2:MemoryKiB")]
    [InlineData("Database__Provider", "Oracle", "Database:Provider")]
    [InlineData("Database__Provider", "Postgres", "ConnectionStrings:Postgres")]
    [InlineData("Organizations__JoinDefaultOnSignUp", "maybe", "Organizations:JoinDefaultOnSignUp")]
    [InlineData("Predict__MaxConcurrentPerUser", "0", "Predict:MaxConcurrentPerUser")]
    [InlineData("ForwardedHeaders__KnownProxies", "10.0.0.5, proxy.internal", "ForwardedHeaders:KnownProxies: \"proxy.internal\" is not an IP address")]
    [InlineData("ForwardedHeaders__KnownNetworks", "10.0.0.0/33", "ForwardedHeaders:KnownNetworks: \"10.0.0.0/33\" is not a network")]
    [InlineData("Artifacts__MaxConcurrentPerUser", "65", "Artifacts:MaxConcurrentPerUser")]
    [InlineData("Mail__Host", "smtp.example", "Mail:From must be the sender's e-mail address when Mail:Host is set.")]
    [InlineData("Mail__Security", "Tls", "Mail:Security")]
    public async Task ABadSettingStopsTheHostWithOneLineNamingIt(string variable, string value, string named)
    {
        var directory = Directory.CreateTempSubdirectory("pfnstudio-config-").FullName;
        try
        {
            var start = HostBinary.StartInfo(["--urls", "http://127.0.0.1:0"]);
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["ConnectionStrings__Sqlite"] = $"Data Source={Path.Combine(directory, "x.db")}";
            start.Environment["ConnectionStrings__Postgres"] = null;
            start.Environment[variable] = value;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);

            Assert.Equal(1, process.ExitCode);
            var lines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var line = Assert.Single(lines);
            Assert.StartsWith("PfnStudio.Tokens failed to start: ", line, StringComparison.Ordinal);
            Assert.Contains(named, line, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", await stdout + line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
