using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Cli;

/// <summary>
/// The project commands of <c>pfnstudio</c> against the real host: push, list and predict, what each prints,
/// and the server's 400/404 messages as one line on standard error with their exit codes.
/// </summary>
public sealed class CliProjectCommandTests : IDisposable
{
    private const string PriorSource = "import torch\n\ndef sample(n):\n    return torch.randn(n)\n";

    private const string ModelYaml = "name: smooth\nprior: gp\nkernel: matern52\nlengthscale: 0.5\noutputscale: 2\nnoise: 0.01\n";

    private readonly string _directory = Directory.CreateTempSubdirectory("pfnstudio-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task PushPriorCreatesAVersionReportsIdenticalContentAsUnchangedAndPriorsListShowsIt()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        var env = CliHarness.TokenEnvironment(token);
        Directory.CreateDirectory(Path.Combine(_directory, "priors"));
        await File.WriteAllTextAsync(Path.Combine(_directory, "priors", "my-prior.py"), PriorSource, TestContext.Current.CancellationToken);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(PriorSource)))[..12];

        var first = await app.RunCliAsync(["push", "prior", "priors/my-prior.py", "--project", "pfnstudio-demo"], env, workingDirectory: _directory);
        var again = await app.RunCliAsync(["push", "prior", "priors/my-prior.py", "-p", "pfnstudio-demo"], env, workingDirectory: _directory);
        var list = await app.RunCliAsync(["priors", "list", "--project", "pfnstudio-demo"], env);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(
            [
                "STATUS   PROJECT         PRIOR     VERSION  SHA256        BYTES",
                $"created  pfnstudio-demo  my-prior        1  {sha}     {PriorSource.Length}",
            ],
            first.OutLines);
        Assert.Equal("", first.Error);
        Assert.StartsWith("unchanged  pfnstudio-demo  my-prior        1", again.OutLines[1], StringComparison.Ordinal);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal(2, list.OutLines.Length);
        Assert.Equal(["PRIOR", "VERSION", "SHA256", "BYTES", "PUSHED", "BY", "TOKEN"], list.OutLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(
            ["my-prior", "1", sha, PriorSource.Length.ToString(CultureInfo.InvariantCulture), "2026-11-29", "12:00:00Z", "ada@example.com", token[..26] + "…"],
            list.OutLines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(1, await app.WithDbAsync(db => db.Priors.CountAsync()));
    }

    [Fact]
    public async Task PushModelCreatesAVersionAndModelsListShowsItsValues()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        var env = CliHarness.TokenEnvironment(token);
        var path = Path.Combine(_directory, "my-model.yaml");
        await File.WriteAllTextAsync(path, ModelYaml, TestContext.Current.CancellationToken);

        var push = await app.RunCliAsync(["push", "model", path, "--project", "pfnstudio-demo"], env);
        var list = await app.RunCliAsync(["models", "list", "--project", "pfnstudio-demo"], env);
        var json = await app.RunCliAsync(["models", "list", "--project", "pfnstudio-demo", "--json"], env);

        Assert.True(push.ExitCode == 0, push.ToString());
        Assert.Equal(
            ["created", "pfnstudio-demo", "smooth", "1", "gp", "matern52", "0.5", "2", "0.01"],
            push.OutLines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal(
            ["smooth", "1", "gp", "matern52", "0.5", "2", "0.01", "2026-11-29", "12:00:00Z", "ada@example.com", token[..26] + "…"],
            list.OutLines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        using var body = JsonDocument.Parse(json.Out);
        Assert.Equal("smooth", body.RootElement.GetProperty("items")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task PushModelWithBadYamlShowsTheServersMessageNamingTheLineAndField()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        var path = Path.Combine(_directory, "broken.yaml");
        await File.WriteAllTextAsync(path, "name: a\nprior: gp\nkernel: [rbf\n", TestContext.Current.CancellationToken);
        var negative = Path.Combine(_directory, "negative.yaml");
        await File.WriteAllTextAsync(negative, ModelYaml.Replace("lengthscale: 0.5", "lengthscale: -1", StringComparison.Ordinal), TestContext.Current.CancellationToken);

        var broken = await app.RunCliAsync(["push", "model", path, "--project", "pfnstudio-demo"], CliHarness.TokenEnvironment(token));
        var invalid = await app.RunCliAsync(["push", "model", negative, "--project", "pfnstudio-demo"], CliHarness.TokenEnvironment(token));

        Assert.Equal(7, broken.ExitCode);
        Assert.Equal("", broken.Out);
        Assert.StartsWith("refused (400): Line 4, field yaml: is not valid YAML", Assert.Single(broken.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(7, invalid.ExitCode);
        Assert.Equal(["refused (400): Line 4, field lengthscale: must be greater than 0, not -1."], invalid.ErrorLines);
        Assert.Equal(0, await app.WithDbAsync(db => db.ModelSpecs.CountAsync()));
    }

    [Fact]
    public async Task PredictPrintsMeanAndVarianceAndRunsListShowsTheRunItMade()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        var env = CliHarness.TokenEnvironment(token);
        var input = Path.Combine(_directory, "request.json");
        await File.WriteAllTextAsync(input, """{"context": {"x": [[0], [1]], "y": [0.5, -0.25]}, "query": {"x": [[0], [1], [4]]}}""",
            TestContext.Current.CancellationToken);

        var predict = await app.RunCliAsync(["predict", "--project", "pfnstudio-demo", "--input", input], env);
        var runs = await app.RunCliAsync(["runs", "list", "--project", "pfnstudio-demo"], env);

        Assert.True(predict.ExitCode == 0, predict.ToString());
        Assert.Equal("", predict.Error);
        Assert.Equal(["X", "MEAN", "VARIANCE"], predict.OutLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var rows = predict.OutLines[1..].Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        // Each row is labelled by its query point's x, numbers in fixed precision (6 decimals), right-aligned.
        Assert.Equal(["0", "1", "4"], rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.Matches(@"^-?\d+\.\d{6}$", r[1]));
        Assert.All(predict.OutLines, l => Assert.Equal(predict.OutLines[0].Length, l.Length));
        var mean = rows.Select(r => double.Parse(r[1], CultureInfo.InvariantCulture)).ToArray();
        var variance = rows.Select(r => double.Parse(r[2], CultureInfo.InvariantCulture)).ToArray();
        // Default model (gp, rbf, lengthscale 1, outputscale 1, noise 1e-4): the mean passes near the context y,
        // and far from the context the prediction reverts to the prior (mean 0, variance outputscale + noise).
        Assert.Equal(0.5, mean[0], 1e-3);
        Assert.Equal(-0.25, mean[1], 1e-3);
        Assert.All(variance, v => Assert.True(v > 0));
        Assert.Equal(1.0001, variance[2], 1e-2);

        Assert.True(runs.ExitCode == 0, runs.ToString());
        Assert.Equal(["RUN", "MODEL", "VERSION", "CONTEXT", "QUERY", "STATUS", "MS", "CREATED", "TOKEN"], runs.OutLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var run = Assert.Single(runs.OutLines[1..]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["gp", "-", "2", "3", "succeeded"], run[1..6]);
        Assert.Equal(token[..26] + "…", run[^1]);
    }

    [Fact]
    public async Task PredictReadsStandardInputAndJsonPrintsTheServersAnswer()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");

        var result = await app.RunCliAsync(
            ["predict", "-p", "pfnstudio-demo", "--input", "-", "--json"], CliHarness.TokenEnvironment(token),
            standardInput: """{"context": {"x": [[0]], "y": [1]}, "query": {"x": [[0], [10]]}}""");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var body = JsonDocument.Parse(result.Out);
        Assert.Equal(2, body.RootElement.GetProperty("mean").GetArrayLength());
        Assert.Equal(1.0, body.RootElement.GetProperty("mean")[0].GetDouble(), 1e-3);
        Assert.Equal(2, body.RootElement.GetProperty("variance").GetArrayLength());
    }

    [Fact]
    public async Task PredictWithARaggedContextShowsTheServersMessage()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");

        var result = await app.RunCliAsync(
            ["predict", "-p", "pfnstudio-demo", "--input", "-"], CliHarness.TokenEnvironment(token),
            standardInput: """{"context": {"x": [[0], [1, 2]], "y": [1, 2]}, "query": {"x": [[0]]}}""");

        Assert.Equal(7, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("refused (400): ", line, StringComparison.Ordinal);
        Assert.Contains("context.x", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsListLimitIsPassedOnAndAnOutOfRangeLimitIsRefusedBeforeAnyRequest()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        var env = CliHarness.TokenEnvironment(token);
        for (var i = 0; i < 3; i++)
        {
            var predict = await app.RunCliAsync(["predict", "-p", "pfnstudio-demo", "-i", "-"], env,
                standardInput: """{"context": {"x": [[0]], "y": [1]}, "query": {"x": [[0]]}}""");
            Assert.Equal(0, predict.ExitCode);
        }

        var two = await app.RunCliAsync(["runs", "list", "--project", "pfnstudio-demo", "--limit", "2", "--json"], env);
        var tooMany = await app.RunCliAsync(["runs", "list", "--project", "pfnstudio-demo", "--limit", "500"], env);

        Assert.True(two.ExitCode == 0, two.ToString());
        using var body = JsonDocument.Parse(two.Out);
        Assert.Equal(2, body.RootElement.GetProperty("items").GetArrayLength());
        Assert.Equal(2, tooMany.ExitCode);
        Assert.Equal(["--limit must be a whole number from 1 to 100, not 500 (see 'pfnstudio runs list --help')"], tooMany.ErrorLines);
    }

    [Fact]
    public async Task AProjectThatIsMissingOrInAnotherOrganizationIs404WithTheSameLine()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        var (outsiderId, outsider) = await app.CreateDemoMemberWithTokenAsync("eve@example.com");
        await app.WithDbAsync(db => db.Memberships.Where(m => m.UserId == outsiderId).ExecuteDeleteAsync());

        var missing = await app.RunCliAsync(["runs", "list", "--project", "no-such-project"], CliHarness.TokenEnvironment(token));
        var notTheirs = await app.RunCliAsync(["priors", "list", "--project", "pfnstudio-demo"], CliHarness.TokenEnvironment(outsider));

        Assert.Equal(6, missing.ExitCode);
        Assert.Equal(["project \"no-such-project\" not found, or not in one of your organizations (404)"], missing.ErrorLines);
        Assert.Equal(6, notTheirs.ExitCode);
        Assert.Equal(["project \"pfnstudio-demo\" not found, or not in one of your organizations (404)"], notTheirs.ErrorLines);
    }

    [Fact]
    public async Task EmptyListsSayHowToFillThem()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");
        var env = CliHarness.TokenEnvironment(token);

        Assert.Equal(["no priors in pfnstudio-demo yet: pfnstudio push prior FILE --project pfnstudio-demo"],
            (await app.RunCliAsync(["priors", "list", "-p", "pfnstudio-demo"], env)).OutLines);
        Assert.Equal(["no model specs in pfnstudio-demo yet: pfnstudio push model FILE --project pfnstudio-demo"],
            (await app.RunCliAsync(["models", "list", "-p", "pfnstudio-demo"], env)).OutLines);
        Assert.Equal(["no runs in pfnstudio-demo yet: pfnstudio predict --project pfnstudio-demo --input FILE"],
            (await app.RunCliAsync(["runs", "list", "-p", "pfnstudio-demo"], env)).OutLines);
    }

    [Fact]
    public async Task AFileThatCannotBeReadIsAUsageErrorAndSendsNothing()
    {
        await using var app = new TokensApplication();
        var (_, token) = await app.CreateDemoMemberWithTokenAsync("ada@example.com");

        var result = await app.RunCliAsync(["push", "prior", "missing.py", "--project", "pfnstudio-demo"], CliHarness.TokenEnvironment(token),
            workingDirectory: _directory);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("cannot read missing.py: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => db.Priors.CountAsync()));
    }
}
