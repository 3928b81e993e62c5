using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Cli;

/// <summary>
/// Against the real host: <c>runs list --cursor/--all</c> over several pages, <c>projects list</c>, range checks
/// before any request, <c>predict</c>'s labelled fixed-precision table and <c>push --json</c>'s status.
/// </summary>
public sealed class CliRunsProjectsAndOutputTests : IDisposable
{
    private const string Request = """{"context": {"x": [[0], [1]], "y": [1, -1]}, "query": {"x": [[0.5]]}}""";

    private readonly string _directory = Directory.CreateTempSubdirectory("pfnstudio-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task RunsListPagesWithCursorAndAllFollowsNextCursorToTheLastPage()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        var env = CliHarness.TokenEnvironment(token);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(0, (await app.RunCliAsync(["predict", "-p", "pfnstudio-demo", "-i", "-"], env, standardInput: Request)).ExitCode);
        }

        var first = await app.RunCliAsync(["runs", "list", "-p", "pfnstudio-demo", "--limit", "2"], env);
        var cursor = first.ErrorLines.Single().Split("--cursor ")[1].Split(' ')[0];
        var second = await app.RunCliAsync(["runs", "list", "-p", "pfnstudio-demo", "--limit", "2", "--cursor", cursor], env);
        var all = await app.RunCliAsync(["runs", "list", "-p", "pfnstudio-demo", "--limit", "2", "--all"], env);
        var allJson = await app.RunCliAsync(["runs", "list", "-p", "pfnstudio-demo", "--limit", "2", "--all", "--json"], env);

        Assert.True(first.ExitCode == 0, first.ToString());
        var firstIds = Ids(first);
        Assert.Equal(2, firstIds.Length);
        Assert.Equal([$"more runs: pfnstudio runs list --project pfnstudio-demo --cursor {cursor} (or --all)"], first.ErrorLines);
        var secondIds = Ids(second);
        Assert.Equal(2, secondIds.Length);
        Assert.True(secondIds.Max() < firstIds.Min(), "the next page holds older runs");

        // Three pages of 2, 2 and 1, one table, newest first, and no "more runs" line.
        Assert.True(all.ExitCode == 0, all.ToString());
        var allIds = Ids(all);
        Assert.Equal(5, allIds.Length);
        Assert.Equal(allIds.OrderDescending(), allIds);
        Assert.Equal([.. firstIds, .. secondIds], allIds[..4]);
        Assert.Equal("", all.Error);
        Assert.Single(all.OutLines, l => l.StartsWith("RUN", StringComparison.Ordinal));

        using var body = JsonDocument.Parse(allJson.Out);
        Assert.Equal(allIds, body.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("nextCursor").ValueKind);
    }

    [Theory]
    [InlineData("--limit", "0", "--limit must be a whole number from 1 to 100, not 0")]
    [InlineData("--limit", "-3", "--limit must be a whole number from 1 to 100, not -3")]
    [InlineData("--timeout", "0", "--timeout must be a whole number from 1 to 3600, not 0")]
    [InlineData("--limit", "ten", "--limit must be a whole number from 1 to 100, not ten")]
    [InlineData("--limit", "99999999999", "--limit must be a whole number from 1 to 100, not 99999999999")]
    [InlineData("--timeout", "1.5", "--timeout must be a whole number from 1 to 3600, not 1.5")]
    [InlineData("--timeout", "", "--timeout must be a whole number from 1 to 3600, not ''")]
    public async Task AnOutOfRangeValueIsExitTwoInOneLineAndNothingIsSent(string option, string value, string message)
    {
        var sent = 0;
        using var http = new HttpClient(new ScriptedHandler(_ =>
        {
            sent++;
            return new HttpResponseMessage(System.Net.HttpStatusCode.InternalServerError);
        }));

        var result = await CliHarness.RunAsync(http, ["runs", "list", "-p", "pfnstudio-demo", option, value], CliHarness.TokenEnvironment("pfnstudio_pat_x"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([$"{message} (see 'pfnstudio runs list --help')"], result.ErrorLines);
        Assert.Equal(0, sent);
    }

    [Fact]
    public async Task ProjectsListShowsTheProjectsOfTheUsersOrganizationsOnly()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        var eve = await app.CreateUserAsync("eve@example.com");
        using (var scope = app.Services.CreateScope())
        {
            var organizations = scope.ServiceProvider.GetRequiredService<PfnStudio.Tokens.Organizations.OrganizationService>();
            Assert.True((await organizations.CreateOrganizationAsync("acme", "Acme Corp", eve.Id, TestContext.Current.CancellationToken)).Succeeded);
            Assert.True((await scope.ServiceProvider.GetRequiredService<PfnStudio.Tokens.Organizations.ProjectService>()
                .CreateProjectAsync("acme", null, "acme-secret", TestContext.Current.CancellationToken)).Succeeded);
        }

        var list = await app.RunCliAsync(["projects", "list"], CliHarness.TokenEnvironment(token));
        var json = await app.RunCliAsync(["projects", "list", "--json"], CliHarness.TokenEnvironment(token));

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal(
            [
                "PROJECT         ORGANIZATION  ORGANIZATION NAME",
                "pfnstudio-demo  pfnstudio     PFN Studio",
            ],
            list.OutLines);
        using var body = JsonDocument.Parse(json.Out);
        Assert.Equal("pfnstudio-demo", Assert.Single(body.RootElement.GetProperty("items").EnumerateArray()).GetProperty("slug").GetString());
        Assert.DoesNotContain("acme", list.Out + json.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictLabelsEachRowByItsXValuesInAlignedFixedPrecisionAndJsonHasTheRawNumbers()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        var env = CliHarness.TokenEnvironment(token);
        const string TwoDimensional = """{"context": {"x": [[0, 0], [1, 1]], "y": [0.5, -0.25]}, "query": {"x": [[0, 0], [0.5, 1.25], [10, -3]]}}""";

        var table = await app.RunCliAsync(["predict", "-p", "pfnstudio-demo", "-i", "-", "--precision", "5"], env, standardInput: TwoDimensional);
        var json = await app.RunCliAsync(["predict", "-p", "pfnstudio-demo", "-i", "-", "--json"], env, standardInput: TwoDimensional);

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Equal(["X1", "X2", "MEAN", "VARIANCE"], table.OutLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var rows = table.OutLines[1..].Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal([["0", "0"], ["0.5", "1.25"], ["10", "-3"]], rows.Select(r => r[..2]));
        Assert.All(rows, r => Assert.Matches(@"^-?\d+\.\d{5}$", r[2]));
        Assert.All(rows, r => Assert.Matches(@"^\d+\.\d{5}$", r[3]));
        // Right-aligned: every line as wide as the header, the numbers' points in one column.
        Assert.All(table.OutLines, l => Assert.Equal(table.OutLines[0].Length, l.Length));
        Assert.Single(table.OutLines[1..].Select(l => l.LastIndexOf('.')).Distinct());

        using var body = JsonDocument.Parse(json.Out);
        var mean = body.RootElement.GetProperty("mean").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(3, mean.Length);
        Assert.Equal(mean.Select(m => Math.Round(m, 5)), rows.Select(r => double.Parse(r[2], CultureInfo.InvariantCulture)));
        // --json keeps the server's full numbers.
        Assert.Contains(mean, m => Math.Round(m, 5) != m);
    }

    [Fact]
    public async Task PushJsonSaysCreatedThenUnchanged()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        var env = CliHarness.TokenEnvironment(token);
        var prior = Path.Combine(_directory, "my-prior.py");
        var model = Path.Combine(_directory, "my-model.yaml");
        await File.WriteAllTextAsync(prior, "def sample(n):\n    return n\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(model, "name: smooth\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 1\nnoise: 0.01\n", TestContext.Current.CancellationToken);

        var results = new List<CliResult>();
        foreach (var args in new[] { new[] { "push", "prior", prior }, ["push", "prior", prior], ["push", "model", model], ["push", "model", model] })
        {
            results.Add(await app.RunCliAsync([.. args, "-p", "pfnstudio-demo", "--json"], env));
        }

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var bodies = results.Select(r => JsonDocument.Parse(r.Out)).ToList();
        Assert.Equal(["created", "unchanged", "created", "unchanged"], bodies.Select(b => b.RootElement.GetProperty("status").GetString()));
        Assert.Equal("my-prior", bodies[1].RootElement.GetProperty("name").GetString());
        Assert.Equal(1, bodies[1].RootElement.GetProperty("version").GetInt32());
        Assert.Equal("smooth", bodies[3].RootElement.GetProperty("name").GetString());
        bodies.ForEach(b => b.Dispose());
    }

    private static long[] Ids(CliResult result) =>
        result.OutLines.Skip(1).Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture)).ToArray();
}
