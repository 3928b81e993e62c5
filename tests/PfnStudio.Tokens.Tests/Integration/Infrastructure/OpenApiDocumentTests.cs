using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Tests.Infrastructure;
using static PfnStudio.Tokens.Tests.Infrastructure.ProjectApiHelpers;

namespace PfnStudio.Tokens.Tests.Integration.Infrastructure;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c>, as client generators and linters read it.</summary>
public sealed class OpenApiDocumentTests
{
    // Pinned, so a new linter release cannot change the verdict between two runs of the same code.
    private const string Redocly = "@redocly/cli@2.77.0";

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheProjectRoutesAndTheBearerScheme()
    {
        await using var app = new TokensApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.JsonAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var paths = document.GetProperty("paths");
        foreach (var path in (string[])["/api/v1/projects/{project}/priors", "/api/v1/projects/{project}/models", "/api/v1/projects/{project}/runs", "/projects/{project}/runs/v0_1/predict"])
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the document");
        }

        var predict = paths.GetProperty("/projects/{project}/runs/v0_1/predict").GetProperty("post");
        Assert.True(predict.GetProperty("security")[0].TryGetProperty("bearer", out _));
        Assert.True(paths.GetProperty("/api/v1/projects/{project}/priors").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").TryGetProperty("multipart/form-data", out _));
    }

    [Theory]
    [InlineData("/api/v1/me", "get", null)]
    [InlineData("/api/v1/tokens", "get", null)]
    [InlineData("/api/v1/tokens/{id}", "delete", null)]
    [InlineData("/api/v1/tokens/self/rotate", "post", null)]
    [InlineData("/api/v1/projects", "get", "read")]
    [InlineData("/api/v1/projects/{project}/priors", "get", "read")]
    [InlineData("/api/v1/projects/{project}/models", "get", "read")]
    [InlineData("/api/v1/projects/{project}/runs", "get", "read")]
    [InlineData("/api/v1/projects/{project}/priors", "post", "push")]
    [InlineData("/api/v1/projects/{project}/models", "post", "push")]
    [InlineData("/projects/{project}/runs/v0_1/predict", "post", "predict")]
    public async Task EachOperationListsThePermissionItNeedsAsItsSecurityRequirementsScopeAndDocuments403(string path, string method, string? permission)
    {
        await using var app = new TokensApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/openapi/v1.json");
        var document = await response.JsonAsync();
        var operation = document.GetProperty("paths").GetProperty(path).GetProperty(method);

        var scopes = operation.GetProperty("security")[0].GetProperty("bearer").EnumerateArray().Select(s => s.GetString()!).ToArray();
        Assert.Equal(permission is null ? [] : [permission], scopes);
        if (permission is not null)
        {
            Assert.True(operation.GetProperty("responses").TryGetProperty("403", out _), $"{method} {path} does not document its 403");
        }

        var description = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("description").GetString()!;
        Assert.Contains("`read`: List projects, priors, model specs and runs. `push`: Push priors and model specs. `predict`: Call the Predict API, which records a run.", description);
    }

    [Fact]
    public async Task RotateDocumentsItsOptionalBodyTheIdempotencyKeyHeaderAndThePatNeededToRevokeAnotherToken()
    {
        await using var app = new TokensApplication();
        using var client = app.CreateClient();
        var document = await (await client.GetAsync("/openapi/v1.json")).JsonAsync();
        var paths = document.GetProperty("paths");

        var rotate = paths.GetProperty("/api/v1/tokens/self/rotate").GetProperty("post");
        Assert.False(rotate.GetProperty("requestBody").TryGetProperty("required", out var required) && required.GetBoolean());
        Assert.True(rotate.GetProperty("requestBody").GetProperty("content").GetProperty("application/json")
            .GetProperty("schema").GetProperty("properties").TryGetProperty("expires_in_days", out _));
        var header = Assert.Single(rotate.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("in").GetString() == "header");
        Assert.Equal("Idempotency-Key", header.GetProperty("name").GetString());
        Assert.Equal(["Tokens"], rotate.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray());
        Assert.Contains("full-access (`pat`)", paths.GetProperty("/api/v1/tokens/{id}").GetProperty("delete").GetProperty("summary").GetString());
        Assert.Contains("state", paths.GetProperty("/api/v1/tokens").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Select(p => p.GetProperty("name").GetString()!));
    }

    [Fact]
    public async Task TheOpenApiDocumentDeclaresPredictNumbersAsNumbersAndItsMembersAsRequired()
    {
        await using var app = new TokensApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/openapi/v1.json");

        var text = await response.Content.ReadAsStringAsync();
        var schemas = (await response.JsonAsync()).GetProperty("components").GetProperty("schemas");
        // The API refuses "0.5"; the document must not promise numbers as strings anywhere.
        Assert.DoesNotContain("\"string\",\"number\"", text.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("\"number\",\"string\"", text.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var request = schemas.GetProperty("PredictRequest");
        Assert.Equal(["context", "query"], request.GetProperty("required").EnumerateArray().Select(e => e.GetString()).Order());
        var y = schemas.GetProperty("PredictContext").GetProperty("properties").GetProperty("y").GetProperty("items");
        Assert.Equal("number", y.GetProperty("type").GetString());
    }

    [Fact]
    public async Task TheDocumentIsWhatGeneratedClientsNeedOneRelativeServerDescribedTagsAndALicence()
    {
        await using var app = new TokensApplication();
        var document = await FetchAsync(app);

        // One relative server: no host name taken from the request, no trailing slash to double.
        Assert.Equal(["/"], document.GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("url").GetString()));
        var tags = document.GetProperty("tags").EnumerateArray().ToList();
        Assert.Equal(["Account", "Predict", "Projects", "Tokens"], tags.Select(t => t.GetProperty("name").GetString()).Order());
        Assert.All(tags, t => Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("description").GetString())));
        var license = document.GetProperty("info").GetProperty("license");
        Assert.False(string.IsNullOrEmpty(license.GetProperty("identifier").GetString()));
    }

    [Fact]
    public async Task EveryOperationListsTheStatusesTheSchemeAndTheHostCanAnswerBeforeItsHandler()
    {
        await using var app = new TokensApplication();
        var document = await FetchAsync(app);

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var statuses = operation.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();

                // The one anonymous operation (security [{}]: the secret scanners' report) answers 202, and never 401.
                var anonymous = operation.Value.TryGetProperty("security", out var security)
                    && security.EnumerateArray().All(r => !r.EnumerateObject().Any());
                Assert.Superset(anonymous ? ["202", "400", "429", "503"] : new HashSet<string> { "200", "400", "401", "429", "503" }, statuses);
            }
        }

        var predict = document.GetProperty("paths").GetProperty("/projects/{project}/runs/v0_1/predict").GetProperty("post");
        Assert.True(predict.GetProperty("responses").TryGetProperty("415", out _), "Predict answers 415 for a body that is not JSON");
        var limit = document.GetProperty("paths").GetProperty("/api/v1/projects/{project}/runs").GetProperty("get")
            .GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "limit").GetProperty("schema");
        Assert.Equal(("integer", 1, 100, 20), (limit.GetProperty("type").GetString(), limit.GetProperty("minimum").GetInt32(), limit.GetProperty("maximum").GetInt32(), limit.GetProperty("default").GetInt32()));
    }

    [Fact]
    public async Task PredictAnswers415ForABodyThatIsNotJsonAsTheDocumentSays()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var content = new StringContent("x=1", System.Text.Encoding.UTF8, "text/plain");
        using var response = await api.PostAsync($"/projects/{DemoProject}/runs/v0_1/predict", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Predict reads application/json", (await response.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedoclyLintsTheServedDocumentWithItsRecommendedRulesWithoutAnError()
    {
        var npx = RequireNpx();

        // On a real loopback port, as served: TestServer's "http://localhost" would be a lint finding of its own.
        await using var app = new TokensApplication();
        using var client = new HttpClient { BaseAddress = new Uri(Serve(app)) };
        var directory = Directory.CreateTempSubdirectory("pfnstudio-openapi-").FullName;
        try
        {
            var file = Path.Combine(directory, "openapi.json");
            await File.WriteAllTextAsync(file, await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken), TestContext.Current.CancellationToken);
            var start = new ProcessStartInfo(npx)
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])["--yes", Redocly, "lint", "--format=json", "openapi.json"])
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["REDOCLY_TELEMETRY"] = "off";
            start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token);

            var report = await stdout;
            Assert.True(process.ExitCode == 0, $"redocly lint failed ({process.ExitCode}): {report} {await stderr}");
            var root = JsonDocument.Parse(report).RootElement;
            var problems = root.GetProperty("problems").EnumerateArray()
                .Select(p => $"{p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()}").ToList();
            Assert.Empty(problems);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task AClientGeneratedFromTheDocumentTypeChecksAndCallsEveryOperationAsTheReadmeDescribes()
    {
        var npx = RequireNpx();
        await using var app = new TokensApplication();
        var baseUrl = Serve(app);
        var (user, _) = await app.CreateMemberWithTokenAsync("client@example.com");
        var token = await app.IssueTokenAsync(user.Id, "generated client");
        var directory = Directory.CreateTempSubdirectory("pfnstudio-client-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "package.json"), """{ "private": true, "type": "module" }""", TestContext.Current.CancellationToken);
            File.Copy(Path.Combine(AppContext.BaseDirectory, "GeneratedClient", "client.ts"), Path.Combine(directory, "client.ts"));
            var npm = Path.Combine(Path.GetDirectoryName(npx)!, "npm");
            await RunAsync(npm, directory, [], ["install", "--no-audit", "--no-fund", "--silent", .. GeneratedClientPackages]);
            await RunAsync(npx, directory, [], "openapi-typescript", $"{baseUrl}/openapi/v1.json", "-o", "schema.d.ts");
            await RunAsync(npx, directory, [], "tsc", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022",
                "--skipLibCheck", "--types", "node", "--outDir", "out", "client.ts");
            var output = await RunAsync("node", directory, [("PFNSTUDIO_URL", baseUrl), ("PFNSTUDIO_TOKEN", token)], "out/client.js");

            var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
            var statuses = result.GetProperty("statuses").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
            Assert.Equal(
                new Dictionary<string, int>
                {
                    ["getMe"] = 200, ["listProjects"] = 200, ["pushPrior"] = 201, ["listPriors"] = 200, ["getPrior"] = 200,
                    ["pushModel"] = 201, ["listModels"] = 200, ["getModel"] = 200, ["predict"] = 200, ["listRuns"] = 200,
                },
                statuses);
            Assert.Equal("client@example.com", result.GetProperty("user").GetString());
            Assert.InRange(result.GetProperty("mean").GetDouble(), 0.0, 1.0);
            Assert.DoesNotContain(token, output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // Pinned like the linter: the generator, the runtime client, the compiler and Node's types.
    private static readonly string[] GeneratedClientPackages =
        ["openapi-typescript@7.13.0", "openapi-fetch@0.17.0", "typescript@5.9.3", "@types/node@20.19.43"];

    // Serves the app on a loopback port (as deployed, not TestServer) and returns its base URL without a slash.
    private static string Serve(TokensApplication app)
    {
        app.UseKestrel(0);
        app.StartServer();
        return app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/');
    }

    private static async Task<string> RunAsync(string file, string directory, (string Name, string Value)[] environment, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({process.ExitCode}): {output} {await stderr}");
        return output;
    }

    private static async Task<JsonElement> FetchAsync(TokensApplication app)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    private static string RequireNpx() =>
        Requirement.OnPath("npx", "npx (Node.js) is not on PATH: apt-get install nodejs npm to lint the OpenAPI document.");
}
