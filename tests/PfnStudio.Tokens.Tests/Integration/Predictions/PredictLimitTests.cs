using System.Net;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Predictions;

public sealed class PredictLimitTests
{
    [Fact]
    public async Task PredictCallsBeyondTheUsersConcurrencyLimitGet429WithRetryAfterAndAreNotRecorded()
    {
        await using var app = new TokensApplication { Settings = { ["Predict:MaxConcurrentPerUser"] = "1" } };
        var (_, api) = await app.CreateMemberWithTokenAsync("busy-predict@example.com");
        var random = new Random(7);
        var body = new
        {
            context = new
            {
                x = Enumerable.Range(0, 1200).Select(_ => Enumerable.Range(0, 20).Select(_ => random.NextDouble()).ToArray()).ToArray(),
                y = Enumerable.Range(0, 1200).Select(_ => random.NextDouble()).ToArray(),
            },
            query = new { x = Enumerable.Range(0, 2000).Select(_ => Enumerable.Range(0, 20).Select(_ => random.NextDouble()).ToArray()).ToArray() },
        };

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => api.PredictAsync(ProjectApiHelpers.DemoProject, body)));

        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var refused = Assert.Single(responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).Take(1));
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        Assert.Contains("Too many Predict calls at once", await refused.Content.ReadAsStringAsync());
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, r.StatusCode.ToString()));

        var runs = await (await api.GetAsync($"/api/v1/projects/{ProjectApiHelpers.DemoProject}/runs?limit=100")).JsonAsync();
        Assert.Equal(responses.Count(r => r.StatusCode == HttpStatusCode.OK), runs.GetProperty("items").GetArrayLength());
    }
}
