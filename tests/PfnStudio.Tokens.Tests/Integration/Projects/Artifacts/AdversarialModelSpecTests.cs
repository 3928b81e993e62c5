using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Tests.Infrastructure;
using static PfnStudio.Tokens.Tests.Infrastructure.ProjectApiHelpers;

namespace PfnStudio.Tokens.Tests.Integration.Projects.Artifacts;

/// <summary>Model specs shaped to cost CPU or to break the parser answer 400 quickly and store nothing (issue 16).</summary>
public sealed class AdversarialModelSpecTests
{
    [Fact]
    public async Task FourAliasBombsAtOnceAre400InASecondAndTheHostStaysResponsive()
    {
        // Four at once is past the default per-user limit (2); this test is about the parser's cost.
        await using var app = new TokensApplication { Settings = { ["Artifacts:MaxConcurrentPerUser"] = "4" } };
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        var watch = Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => api.PushModelAsync(DemoProject, AdversarialYaml.AliasBomb())));
        using var me = await api.GetAsync("/api/v1/me");

        foreach (var response in responses)
        {
            Assert.Contains("anchors and aliases are not allowed", await response.AssertInvalidAsync("yaml"), StringComparison.Ordinal);
            response.Dispose();
        }

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(0, await app.WithDbAsync(db => db.ModelSpecs.CountAsync()));
    }

    [Theory]
    [InlineData("name: \"\\UFFFFFFFF\"\nprior: gp\n")]
    [InlineData("name=: m|\n{prir: gp\nkernel: rbf\n")]
    [InlineData("name: !!str m\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 1\nnoise: 0.1\n")]
    [InlineData("base: &b {kernel: rbf}\n<<: *b\nname: m\n")]
    public async Task SyntaxErrorsAndRefusedConstructsAre400ProblemsNot500(string yaml)
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("ada@example.com");

        using var response = await api.PushModelAsync(DemoProject, yaml);

        Assert.StartsWith("Line ", await response.AssertInvalidAsync("yaml"), StringComparison.Ordinal);
    }
}
