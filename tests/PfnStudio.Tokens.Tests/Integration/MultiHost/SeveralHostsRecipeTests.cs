#if POSTGRES
using System.Diagnostics;
using Npgsql;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.MultiHost;

/// <summary>
/// The "Running several hosts" recipe of docs/operations.md, run as written by <c>docs/several-hosts.sh</c> on the PostgreSQL
/// server of this run: a role, a database it owns, two host processes started at once on it, a token accepted by
/// both, revoked and refused by both. PostgreSQL only: the recipe is for PostgreSQL.
/// </summary>
public sealed class SeveralHostsRecipeTests
{
    [Fact]
    public async Task TheRecipeWorksAsWrittenWithTwoHostsStartingAtOnceOnAnEmptyDatabase()
    {
        var admin = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable(TestStore.PostgresVariable));
        var script = Path.Combine(RepositoryFiles.Root(), "docs", "several-hosts.sh");
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.Environment["PGHOST"] = admin.Host;
        start.Environment["PGPORT"] = admin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = admin.Username;
        start.Environment["PGPASSWORD"] = admin.Password ?? "";
        start.Environment["PGDATABASE"] = admin.Database;
        start.Environment["PFNSTUDIO_RECIPE_SUFFIX"] = Guid.NewGuid().ToString("N")[..12];
        start.Environment["Argon2__MemoryKiB"] = "64";
        start.Environment["Argon2__Iterations"] = "1";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"docs/several-hosts.sh failed ({process.ExitCode}): {await stdout} {await stderr}");
        Assert.Contains("revoked and refused by both", await stdout, StringComparison.Ordinal);
    }
}
#endif
