using System.Net;
using PfnStudio.Tokens.Tests.Infrastructure;
using static PfnStudio.Tokens.Tests.Infrastructure.ProjectApiHelpers;

namespace PfnStudio.Tokens.Tests.Integration.Projects.Artifacts;

/// <summary>Priors and models calls are bounded per user like Predict's (issue 16: <c>/models</c> had no per-user limit).</summary>
public sealed class ArtifactLimitTests
{
    [Theory]
    [InlineData("models")]
    [InlineData("priors")]
    public async Task ACallBeyondTheUsersConcurrencyLimitGets429WithRetryAfterWhileOtherUsersAndPredictAreUnaffected(string route)
    {
        await using var app = new TokensApplication { Settings = { ["Artifacts:MaxConcurrentPerUser"] = "1" } };
        var (_, api) = await app.CreateMemberWithTokenAsync("busy@example.com");
        var (_, other) = await app.CreateMemberWithTokenAsync("other@example.com");

        // The first push holds its permit while its body is still arriving. On a busy machine a probe below can reach
        // the limiter first, and then the push is the call refused: it is sent again.
        var body = route == "priors"
            ? "--held\r\nContent-Disposition: form-data; name=\"file\"; filename=\"held.py\"\r\nContent-Type: text/x-python\r\n\r\nprint(1)\n\r\n--held--\r\n"
            : "name: held\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 1\nnoise: 0.1\n";
        TaskCompletionSource release;
        Task<HttpResponseMessage> holding;
        HttpResponseMessage? probe;
        var pushes = 0;
        do
        {
            Assert.InRange(++pushes, 1, 5);
            release = new TaskCompletionSource();
            var slow = new StreamContent(new HeldStream(System.Text.Encoding.UTF8.GetBytes(body), release.Task));
            slow.Headers.TryAddWithoutValidation("Content-Type", route == "priors" ? "multipart/form-data; boundary=held" : "application/yaml");
            holding = api.PostAsync($"/api/v1/projects/{DemoProject}/{route}", slow, TestContext.Current.CancellationToken);
            probe = await RefusedWhileHeldAsync(api, $"/api/v1/projects/{DemoProject}/{route}", holding);
        }
        while (probe is null);

        using var refused = probe;
        using var otherUser = await other.GetAsync($"/api/v1/projects/{DemoProject}/{route}", TestContext.Current.CancellationToken);
        using var runs = await api.GetAsync($"/api/v1/projects/{DemoProject}/runs", TestContext.Current.CancellationToken);
        release.SetResult();
        using var first = await holding;
        using var after = await api.GetAsync($"/api/v1/projects/{DemoProject}/{route}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("At most 1 priors and models calls per user", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, otherUser.StatusCode);
        Assert.Equal(HttpStatusCode.OK, runs.StatusCode);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    // Calls until the answer is 429 while the held call is still running (at most 10 s), or null once the held call
    // has ended, refused itself because a call here held the permit when it arrived.
    private static async Task<HttpResponseMessage?> RefusedWhileHeldAsync(HttpClient api, string path, Task<HttpResponseMessage> holding)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var response = await api.GetAsync(path, TestContext.Current.CancellationToken);
            if (holding.IsCompleted)
            {
                response.Dispose();
                using var held = await holding;
                Assert.Equal(HttpStatusCode.TooManyRequests, held.StatusCode);
                return null;
            }

            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return response;
            }

            response.Dispose();
            Assert.True(DateTime.UtcNow < deadline, "the held call never took its permit");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    // The body's first byte at once, the rest once released.
    private sealed class HeldStream(byte[] body, Task released) : Stream
    {
        private int _sent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_sent > 0)
            {
                await released.WaitAsync(cancellationToken);
            }

            var count = _sent == 0 ? 1 : Math.Min(buffer.Length, body.Length - _sent);
            body.AsSpan(_sent, count).CopyTo(buffer.Span);
            _sent += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
