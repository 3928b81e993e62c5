using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Tests.Infrastructure;
using static PfnStudio.Tokens.Tests.Infrastructure.ProjectApiHelpers;

namespace PfnStudio.Tokens.Tests.Integration.Predictions;

public sealed class PredictTests
{
    private static readonly double[] One = [1.0];

    [Fact]
    public async Task TheDefaultModelMatchesTheTwoPointClosedForm()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var response = await api.PredictRawAsync(DemoProject,
            """{"context": {"x": [[0], [1]], "y": [1, -1]}, "query": {"x": [[0.5], [2]]}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        var mean = body.GetProperty("mean").Doubles();
        var variance = body.GetProperty("variance").Doubles();

        // Default model: rbf, lengthscale 1, outputscale 1, noise 1e-4. K = [[a, c], [c, a]] with a = 1 + noise,
        // c = exp(-1/2); y = (1, -1) is an eigenvector of K with eigenvalue a - c, (1, 1) one with a + c.
        const double noise = 1e-4;
        var a = 1 + noise;
        var c = Math.Exp(-0.5);

        // x* = 0.5 is equidistant: k* = e^(-1/8)·(1, 1), so the mean is 0 and k*ᵀK⁻¹k* = 2e^(-1/4)/(a + c).
        Assert.Equal(0, mean[0], 1e-12);
        Assert.Equal(1 - (2 * Math.Exp(-0.25) / (a + c)) + noise, variance[0], 1e-12);

        // x* = 2: k* = (e^-2, e^-1/2).
        var (u, v) = (Math.Exp(-2), Math.Exp(-0.5));
        Assert.Equal((u - v) / (a - c), mean[1], 1e-12);
        var quadratic = ((a * ((u * u) + (v * v))) - (2 * c * u * v)) / ((a * a) - (c * c));
        Assert.Equal(1 - quadratic + noise, variance[1], 1e-12);

        Assert.Equal("gp", body.GetProperty("model").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("modelVersion").ValueKind);
    }

    [Fact]
    public async Task ANamedMatern52ModelSpecIsUsedWithItsScaleAndNoise()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");
        using var pushed = await api.PushModelAsync(DemoProject,
            "name: smooth\nprior: gp\nkernel: matern52\nlengthscale: 0.5\noutputscale: 2\nnoise: 0.01\n");
        Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);

        using var response = await api.PredictRawAsync(DemoProject,
            """{"model": "smooth", "context": {"x": [[0]], "y": [3]}, "query": {"x": [[0.25]]}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();

        // One context point: mean = k*·y/(s + noise), variance = s - k*²/(s + noise) + noise, with the
        // Matérn 5/2 kernel k(r) = s(1 + z + z²/3)e^(-z), z = √5·r/ℓ.
        var z = Math.Sqrt(5) * 0.25 / 0.5;
        var k = 2 * (1 + z + (z * z / 3)) * Math.Exp(-z);
        Assert.Equal(k * 3 / 2.01, body.GetProperty("mean")[0].GetDouble(), 1e-12);
        Assert.Equal(2 - (k * k / 2.01) + 0.01, body.GetProperty("variance")[0].GetDouble(), 1e-12);
        Assert.Equal("smooth", body.GetProperty("model").GetString());
        Assert.Equal(1, body.GetProperty("modelVersion").GetInt32());
    }

    [Fact]
    public async Task WithTinyNoiseTheMeanAtAContextPointIsItsValueAndEveryVarianceIsNonNegative()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");
        using var pushed = await api.PushModelAsync(DemoProject,
            "name: exact\nprior: gp\nkernel: rbf\nlengthscale: 0.7\noutputscale: 1.5\nnoise: 1e-10\n");
        Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);

        var random = new Random(20261129);
        var contextX = Enumerable.Range(0, 12).Select(i => new[] { i * 0.9, random.NextDouble() * 3 }).ToArray();
        var contextY = contextX.Select(p => Math.Sin(p[0]) + Math.Cos(2 * p[1])).ToArray();
        var queryX = contextX.Concat(Enumerable.Range(0, 40).Select(_ => new[] { (random.NextDouble() * 14) - 2, random.NextDouble() * 5 })).ToArray();

        using var response = await api.PredictAsync(DemoProject, new
        {
            model = "exact",
            context = new { x = contextX, y = contextY },
            query = new { x = queryX },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        var mean = body.GetProperty("mean").Doubles();
        var variance = body.GetProperty("variance").Doubles();
        Assert.Equal(queryX.Length, mean.Length);
        for (var i = 0; i < contextY.Length; i++)
        {
            Assert.Equal(contextY[i], mean[i], 1e-6);
            Assert.InRange(variance[i], 0, 1e-6);
        }

        Assert.All(variance, v => Assert.True(v >= 0, $"variance {v} < 0"));
    }

    [Fact]
    public async Task ASingularKernelMatrixIsFactorisedWithJitterAndAnswered()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        // Noise 1e-300 vanishes next to 1 in double precision, so two identical context points make
        // K = [[1, 1], [1, 1]] exactly singular: only the jitter retry lets the Cholesky factorisation succeed.
        using (var pushed = await api.PushModelAsync(DemoProject, "name: singular\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 1\nnoise: 1e-300\n"))
        {
            Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
        }

        using var response = await api.PredictRawAsync(DemoProject,
            """{"model": "singular", "context": {"x": [[0], [0]], "y": [1, 3]}, "query": {"x": [[0], [5]]}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        var mean = body.GetProperty("mean").Doubles();

        // Two observations of one point average out; far away the prior mean 0 returns.
        Assert.Equal(2, mean[0], 1e-6);
        Assert.Equal(0, mean[1], 1e-4);
        Assert.All(body.GetProperty("variance").Doubles(), v => Assert.True(v >= 0));
    }

    [Theory]
    [InlineData("not json", "body")]
    [InlineData("[1, 2]", "body")]
    [InlineData("{}", "context")]
    [InlineData("""{"context": {"y": [1]}, "query": {"x": [[1]]}}""", "context.x")]
    [InlineData("""{"context": {"x": [], "y": []}, "query": {"x": [[1]]}}""", "context.x")]
    [InlineData("""{"context": {"x": [[1, 2], [3]], "y": [1, 2]}, "query": {"x": [[1, 2]]}}""", "context.x[1]")]
    [InlineData("""{"context": {"x": [[1], [2]], "y": [1]}, "query": {"x": [[1]]}}""", "context.y")]
    [InlineData("""{"context": {"x": [[1, 2]], "y": [1]}, "query": {"x": [[1]]}}""", "query.x[0]")]
    [InlineData("""{"context": {"x": [["1"]], "y": [1]}, "query": {"x": [[1]]}}""", "context.x[0][0]")]
    [InlineData("""{"context": {"x": [[1]], "y": ["NaN"]}, "query": {"x": [[1]]}}""", "context.y[0]")]
    [InlineData("""{"context": {"x": [[1e999]], "y": [1]}, "query": {"x": [[1]]}}""", "context.x[0][0]")]
    [InlineData("""{"context": {"x": [[1]], "y": [1]}, "query": {"x": [[-1e400]]}}""", "query.x[0][0]")]
    [InlineData("""{"context": {"x": [[1]], "y": [1]}, "query": null}""", "query.x")]
    [InlineData("""{"context": {"x": [[1]], "y": [1]}, "query": {"x": []}}""", "query.x")]
    [InlineData("""{"model": 5, "context": {"x": [[1]], "y": [1]}, "query": {"x": [[1]]}}""", "model")]
    [InlineData("""{"model": "nope", "context": {"x": [[1]], "y": [1]}, "query": {"x": [[1]]}}""", "model")]
    [InlineData("""{"context": {"x": [[1], null], "y": [1, 2]}, "query": {"x": [[1]]}}""", "context.x[1]")]
    [InlineData("""{"context": {"x": [[1]], "y": [1]}, "query": {"x": [[1]]}, "extra": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}""", "body")]
    [InlineData("""{"context": {"x": [[1]], "y": "0.5"}, "query": {"x": [[1]]}}""", "context.y")]
    [InlineData("""{"context": {"x": [[1]], "y": [1]}, "query": {"x": [["0.5"]]}}""", "query.x[0][0]")]
    [InlineData("""{"context": {"x": [1], "y": [1]}, "query": {"x": [[1]]}}""", "context.x[0]")]
    [InlineData("""{"context": {"x": [[1]], "y": [1]}, "query": {"x": [[1]]},}""", "body")]
    [InlineData("", "body")]
    [InlineData("null", "body")]
    public async Task MalformedPredictBodiesAre400NamingTheField(string json, string field)
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var response = await api.PredictRawAsync(DemoProject, json);

        Assert.StartsWith(field + ":", await response.AssertInvalidAsync(field), StringComparison.Ordinal);
        var run = Assert.Single(await app.WithDbAsync(db => db.Runs.ToListAsync()));
        Assert.Equal(RunStatuses.Rejected, run.Status);
        Assert.StartsWith(field + ":", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictLimitsOnPointsAndFeaturesAre400()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");
        var one = new[] { new[] { 0.0 } };

        using (var response = await api.PredictAsync(DemoProject, new
        {
            context = new { x = Enumerable.Range(0, 2001).Select(i => new[] { (double)i }).ToArray(), y = new double[2001] },
            query = new { x = one },
        }))
        {
            Assert.Equal("context.x: has 2,001 points; at most 2,000 are allowed.", await response.AssertInvalidAsync("context.x"));
        }

        using (var response = await api.PredictAsync(DemoProject, new
        {
            context = new { x = new[] { new double[101] }, y = One },
            query = new { x = new[] { new double[101] } },
        }))
        {
            Assert.Equal("context.x[0]: has 101 features; a point has 1 to 100.", await response.AssertInvalidAsync("context.x[0]"));
        }

        using (var response = await api.PredictAsync(DemoProject, new
        {
            context = new { x = one, y = One },
            query = new { x = Enumerable.Range(0, 10_001).Select(i => new[] { (double)i }).ToArray() },
        }))
        {
            Assert.Equal("query.x: has 10,001 points; at most 10,000 are allowed.", await response.AssertInvalidAsync("query.x"));
        }

        // The largest allowed shapes are answered.
        using var largest = await api.PredictAsync(DemoProject, new
        {
            context = new { x = Enumerable.Range(0, 50).Select(i => Enumerable.Repeat(i / 50.0, 100).ToArray()).ToArray(), y = new double[50] },
            query = new { x = new[] { new double[100] } },
        });
        Assert.Equal(HttpStatusCode.OK, largest.StatusCode);
    }

    [Fact]
    public async Task APredictBodyOver32MibIs413AndIsRecorded()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        var padding = new string(' ', (32 * 1024 * 1024) + 1);
        using var response = await api.PredictRawAsync(DemoProject, "{\"context\":" + padding + "}");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("A Predict request must be at most 32 MiB.", (await response.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(RunStatuses.Rejected, Assert.Single(await app.WithDbAsync(db => db.Runs.ToListAsync())).Status);
    }

    [Fact]
    public async Task AModelOnAPushedPriorIsRefusedRatherThanAnsweredWithAGaussianProcess()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");
        using (await api.PushPriorAsync(DemoProject, "custom.py", "def sample():\n    pass\n"))
        using (var model = await api.PushModelAsync(DemoProject, "name: pfn\nprior: custom\nkernel: rbf\nlengthscale: 1\noutputscale: 1\nnoise: 0.1\n"))
        {
            Assert.Equal(HttpStatusCode.Created, model.StatusCode);
        }

        using var response = await api.PredictRawAsync(DemoProject, """{"model": "pfn", "context": {"x": [[1]], "y": [1]}, "query": {"x": [[1]]}}""");

        Assert.Contains("uses the pushed prior \"custom\"", await response.AssertInvalidAsync("model"));
    }

    [Fact]
    public async Task ANonJsonContentTypeIsA4xxNotA500()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var content = new StringContent("x=1", Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await api.PostAsync($"/projects/{DemoProject}/runs/v0_1/predict", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(10_000)]
    public async Task DeeplyNestedJsonIsA400ProblemNotA500(int depth)
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("nested@example.com");
        var nested = new string('[', depth) + "1" + new string(']', depth);
        var json = "{\"context\": {\"x\": " + nested + ", \"y\": [1]}, \"query\": {\"x\": [[1]]}}";

        using var response = await api.PredictRawAsync(DemoProject, json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
