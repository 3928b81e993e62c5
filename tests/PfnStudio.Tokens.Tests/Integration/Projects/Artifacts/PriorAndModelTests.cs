using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Tests.Infrastructure;
using static PfnStudio.Tokens.Tests.Infrastructure.ProjectApiHelpers;

namespace PfnStudio.Tokens.Tests.Integration.Projects.Artifacts;

public sealed class PriorAndModelTests
{
    private const string PriorSource = "import torch\n\ndef sample(n):\n    return torch.randn(n)\n";

    private const string ModelYaml = """
        name: smooth
        prior: gp
        kernel: matern52
        lengthscale: 0.5
        outputscale: 2
        noise: 0.01
        """;

    [Fact]
    public async Task PushingAPriorVersionsItByContentAndIdenticalContentReturnsTheExistingVersion()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var first = await api.PushPriorAsync(DemoProject, "smooth_gp.py", PriorSource);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var v1 = await first.JsonAsync();
        Assert.Equal("smooth_gp", v1.GetProperty("name").GetString());
        Assert.Equal(1, v1.GetProperty("version").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(PriorSource))), v1.GetProperty("sha256").GetString());
        Assert.Equal(Encoding.UTF8.GetByteCount(PriorSource), v1.GetProperty("sizeBytes").GetInt32());
        Assert.Equal("ada@example.com", v1.GetProperty("pushedBy").GetString());

        using var again = await api.PushPriorAsync(DemoProject, "smooth_gp.py", PriorSource);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, (await again.JsonAsync()).GetProperty("version").GetInt32());

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        using var changed = await api.PushPriorAsync(DemoProject, "smooth_gp.py", PriorSource + "# tuned\n");
        Assert.Equal(HttpStatusCode.Created, changed.StatusCode);
        Assert.Equal(2, (await changed.JsonAsync()).GetProperty("version").GetInt32());

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        using var other = await api.PushPriorAsync(DemoProject, "rough.py", PriorSource);
        Assert.Equal(1, (await other.JsonAsync()).GetProperty("version").GetInt32());

        using var list = await api.GetAsync($"/api/v1/projects/{DemoProject}/priors");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var items = (await list.JsonAsync()).GetProperty("items").EnumerateArray()
            .Select(i => $"{i.GetProperty("name").GetString()} v{i.GetProperty("version").GetInt32()}").ToList();
        Assert.Equal(["rough v1", "smooth_gp v2", "smooth_gp v1"], items);
        Assert.Equal(3, await app.WithDbAsync(db => db.Priors.CountAsync()));
        var prefixes = await app.WithDbAsync(db => db.Priors.Select(p => p.TokenPrefix).Distinct().ToListAsync());
        Assert.Equal(12, Assert.Single(prefixes).Length);
    }

    [Fact]
    public async Task APriorOfExactlyOneMebibyteIsStoredAndOneByteMoreIs413()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var fits = await api.PushPriorAsync(DemoProject, "big.py", new string('#', 1024 * 1024));
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);

        using var tooBig = await api.PushPriorAsync(DemoProject, "bigger.py", new string('#', (1024 * 1024) + 1));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Contains("at most 1 MiB", (await tooBig.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(1, await app.WithDbAsync(db => db.Priors.CountAsync()));
    }

    [Fact]
    public async Task PriorsThatAreNotUtf8PythonTextAre400WithAMessage()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using (var latin1 = PriorFile("prior.py", [0x70, 0x72, 0x69, 0x6f, 0x72, 0xE9, 0x0A]))
        using (var response = await api.PostAsync($"/api/v1/projects/{DemoProject}/priors", latin1))
        {
            Assert.Contains("not UTF-8", await response.AssertInvalidAsync("file"));
        }

        using (var response = await api.PushPriorAsync(DemoProject, "notes.txt", PriorSource))
        {
            Assert.Contains("must end in .py", await response.AssertInvalidAsync("file"));
        }

        using (var response = await api.PushPriorAsync(DemoProject, "gp.py", PriorSource))
        {
            Assert.Contains("reserved", await response.AssertInvalidAsync("file"));
        }

        using (var response = await api.PushPriorAsync(DemoProject, "empty.py", string.Empty))
        {
            Assert.Contains("empty", await response.AssertInvalidAsync("file"));
        }

        using (var raw = new StringContent(PriorSource, Encoding.UTF8, "text/x-python"))
        using (var response = await api.PostAsync($"/api/v1/projects/{DemoProject}/priors", raw))
        {
            Assert.Contains("multipart/form-data", await response.AssertInvalidAsync("file"));
        }

        using (var wrongField = new MultipartFormDataContent { { new StringContent(PriorSource), "source", "prior.py" } })
        using (var response = await api.PostAsync($"/api/v1/projects/{DemoProject}/priors", wrongField))
        {
            Assert.Contains("named \"file\"", await response.AssertInvalidAsync("file"));
        }

        Assert.Equal(0, await app.WithDbAsync(db => db.Priors.CountAsync()));
    }

    [Fact]
    public async Task PushingAModelSpecVersionsItAndIdenticalYamlReturnsTheExistingVersion()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var first = await api.PushModelAsync(DemoProject, ModelYaml);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var v1 = await first.JsonAsync();
        Assert.Equal("smooth", v1.GetProperty("name").GetString());
        Assert.Equal(1, v1.GetProperty("version").GetInt32());
        Assert.Equal("matern52", v1.GetProperty("kernel").GetString());
        Assert.Equal(0.5, v1.GetProperty("lengthscale").GetDouble());
        Assert.Equal(2, v1.GetProperty("outputscale").GetDouble());
        Assert.Equal(0.01, v1.GetProperty("noise").GetDouble());

        using var again = await api.PushModelAsync(DemoProject, ModelYaml);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        using var changed = await api.PushModelAsync(DemoProject, ModelYaml.Replace("noise: 0.01", "noise: 0.02", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Created, changed.StatusCode);
        Assert.Equal(2, (await changed.JsonAsync()).GetProperty("version").GetInt32());

        using var list = await api.GetAsync($"/api/v1/projects/{DemoProject}/models");
        var versions = (await list.JsonAsync()).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("version").GetInt32()).ToList();
        Assert.Equal([2, 1], versions);
    }

    [Theory]
    [InlineData("priors")]
    [InlineData("models")]
    public async Task APushCreatesAVersionWhoseLocationReadsItBackAndAnIdenticalPushPointsNowhereNew(string kind)
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");
        Task<HttpResponseMessage> Push(string text) => kind == "priors"
            ? api.PushPriorAsync(DemoProject, "smooth.py", text)
            : api.PushModelAsync(DemoProject, text);
        var content = kind == "priors" ? PriorSource : ModelYaml;

        using var first = await Push(content);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal($"/api/v1/projects/{DemoProject}/{kind}/smooth/versions/1", first.Headers.Location?.OriginalString);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        using var second = await Push(content + "\n# v2\n");
        Assert.Equal($"/api/v1/projects/{DemoProject}/{kind}/smooth/versions/2", second.Headers.Location?.OriginalString);

        using var read = await api.GetAsync(first.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var v1 = await read.JsonAsync();
        Assert.Equal(1, v1.GetProperty("version").GetInt32());
        Assert.Equal((await first.JsonAsync()).GetProperty("sha256").GetString(), v1.GetProperty("sha256").GetString());
        Assert.Equal("ada@example.com", v1.GetProperty("pushedBy").GetString());

        using var identical = await Push(content);
        Assert.Equal(HttpStatusCode.OK, identical.StatusCode);
        Assert.Null(identical.Headers.Location);

        using var missingVersion = await api.GetAsync($"/api/v1/projects/{DemoProject}/{kind}/smooth/versions/3");
        Assert.Equal(HttpStatusCode.NotFound, missingVersion.StatusCode);
        Assert.Contains("version 3", (await missingVersion.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var missingName = await api.GetAsync($"/api/v1/projects/{DemoProject}/{kind}/rough/versions/1");
        Assert.Equal(HttpStatusCode.NotFound, missingName.StatusCode);

        var (_, outsider) = await app.CreateMemberWithTokenAsync("eve@example.com", organization: "elsewhere");
        using var hidden = await outsider.GetAsync(first.Headers.Location);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal("Project not found", (await hidden.JsonAsync()).GetProperty("title").GetString());
    }

    public static TheoryData<string, string, string, string> MalformedMultipartBodies() => new()
    {
        // route, Content-Type, body, what the 400 says
        { "priors", "multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.py\"\r\n\r\nx = 1\r\n", "malformed" },
        { "models", "multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.yaml\"\r\n\r\nname: m\r\n", "malformed" },
        { "priors", "multipart/form-data; boundary=ABC", "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.py\"\r\n\r\nx = 1\r\n--XYZ--\r\n", "malformed" },
        { "models", "multipart/form-data; boundary=ABC", "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.yaml\"\r\n\r\nname: m\r\n--XYZ--\r\n", "malformed" },
        { "priors", "multipart/form-data", "--XYZ\r\n\r\n--XYZ--\r\n", "boundary" },
        { "models", "multipart/form-data; boundary=", "--XYZ\r\n\r\n--XYZ--\r\n", "boundary" },
        { "priors", "multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.py\"\r\nbroken header line\r\n\r\nx = 1\r\n--XYZ--\r\n", "malformed" },
        { "models", "multipart/form-data; boundary=XYZ", "", "malformed" },
        { "models", "multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-data; name=\"source\"; filename=\"m.yaml\"\r\n\r\nname: m\r\n--XYZ--\r\n", "named \"file\"" },
        { "models", "multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nname: m\r\n--XYZ--\r\n", "named \"file\"" },
    };

    [Theory]
    [InlineData("filename*=UTF-8''x%0A.py")]
    [InlineData("filename*=UTF-8''x%0D.py")]
    [InlineData("filename*=UTF-8''x%E2%80%AE.py")]
    [InlineData("filename*=UTF-8''x%1B%5B2J.py")]
    [InlineData("filename=\"x .py\"")]
    public async Task APriorNameWithALineBreakControlOrBidiCharacterIsRefusedAndNothingIsStored(string fileName)
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");
        var body = $"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; {fileName}\r\n\r\nx = 1\r\n--XYZ--\r\n";

        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=XYZ");
        using var response = await api.PostAsync($"/api/v1/projects/{DemoProject}/priors", content);

        Assert.Contains("must be 1–100 characters", await response.AssertInvalidAsync("file"), StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => db.Priors.CountAsync()));
    }

    [Theory]
    [MemberData(nameof(MalformedMultipartBodies))]
    public async Task AMalformedMultipartBodyIsA400OnEitherRouteAndStoresNothing(string kind, string contentType, string body, string message)
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await api.PostAsync($"/api/v1/projects/{DemoProject}/{kind}", content);

        Assert.Contains(message, await response.AssertInvalidAsync("file"), StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(async db => await db.Priors.CountAsync() + await db.ModelSpecs.CountAsync()));
    }

    [Fact]
    public async Task AModelSpecMayUseAPushedPriorByName()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var missing = await api.PushModelAsync(DemoProject, ModelYaml.Replace("prior: gp", "prior: smooth_gp", StringComparison.Ordinal));
        Assert.Equal("Line 2, field prior: no prior named \"smooth_gp\" in project \"pfnstudio-demo\"; push it first or use gp.",
            await missing.AssertInvalidAsync("prior"));

        using var pushed = await api.PushPriorAsync(DemoProject, "smooth_gp.py", PriorSource);
        using var model = await api.PushModelAsync(DemoProject, ModelYaml.Replace("prior: gp", "prior: smooth_gp", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Created, model.StatusCode);
        Assert.Equal("smooth_gp", (await model.JsonAsync()).GetProperty("prior").GetString());
    }

    [Theory]
    [InlineData("name: a\nprior: gp\nkernel: [rbf\n", "yaml", "Line 4, field yaml: is not valid YAML")]
    [InlineData("- a\n- b\n", "yaml", "Line 1, field yaml: must be a YAML mapping")]
    [InlineData("", "yaml", "Line 1, field yaml: is empty")]
    [InlineData("name: m\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 1\n", "noise", "Line 1, field noise: is missing.")]
    [InlineData("name: m\nprior: gp\nkernel: linear\nlengthscale: 1\noutputscale: 1\nnoise: 0.1\n", "kernel", "Line 3, field kernel: must be one of rbf, matern52, not \"linear\".")]
    [InlineData("name: m\nprior: gp\nkernel: rbf\nlengthscale: -1\noutputscale: 1\nnoise: 0.1\n", "lengthscale", "Line 4, field lengthscale: must be greater than 0, not -1.")]
    [InlineData("name: m\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 0\nnoise: 0.1\n", "outputscale", "Line 5, field outputscale: must be greater than 0, not 0.")]
    [InlineData("name: m\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 1\nnoise: .nan\n", "noise", "Line 6, field noise: must be a number greater than 0, not \".nan\".")]
    [InlineData("name: m\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 1\nnoise: NaN\n", "noise", "Line 6, field noise: must be a number greater than 0, not \"NaN\".")]
    [InlineData("name: m\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 1\nnoise: 0.1\nepochs: 3\n", "epochs", "Line 7, field epochs: is not a model spec field")]
    [InlineData("name: m\nprior: gp\nkernel: rbf\nlengthscale: [1, 2]\noutputscale: 1\nnoise: 0.1\n", "lengthscale", "Line 4, field lengthscale: must be a single value.")]
    [InlineData("name: m/1\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 1\nnoise: 0.1\n", "name", "Line 1, field name: must be 1–100 characters")]
    [InlineData("name: m\nname: n\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 1\nnoise: 0.1\n", "yaml", "Line 2, field yaml: is not valid YAML")]
    public async Task InvalidModelSpecsAre400NamingTheLineAndField(string yaml, string field, string message)
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var response = await api.PushModelAsync(DemoProject, yaml);

        Assert.StartsWith(message, await response.AssertInvalidAsync(field), StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => db.ModelSpecs.CountAsync()));
    }

    [Fact]
    public async Task DeeplyNestedYamlIs400AndDoesNotOverflowTheStack()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var response = await api.PushModelAsync(DemoProject, "name: m\nprior: " + new string('[', 60_000));

        Assert.Equal("Line 2, field yaml: nests more than 8 levels deep; a model spec is a flat mapping.", await response.AssertInvalidAsync("yaml"));
        using var me = await api.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task AModelSpecOver64KibIs413()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var response = await api.PushModelAsync(DemoProject, ModelYaml + "\n#" + new string('x', 64 * 1024));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 64 KiB", (await response.JsonAsync()).GetProperty("detail").GetString());
    }
}
