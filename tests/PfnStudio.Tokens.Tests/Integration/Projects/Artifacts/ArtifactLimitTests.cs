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

        // The first push holds its permit while its body is still arriving.
        var release = new TaskCompletionSource();
        var body = route == "priors"
            ? "--held\r\nContent-Disposition: form-data; name=\"file\"; filename=\"held.py\"\r\nContent-Type: text/x-python\r\n\r\nprint(1)\n\r\n--held--\r\n"
            : "name: held\nprior: gp\nkernel: rbf\nlengthscale: 1\noutputscale: 1\nnoise: 0.1\n";
        using var slow = new StreamContent(new HeldStream(System.Text.Encoding.UTF8.GetBytes(body), release.Task));
        slow.Headers.TryAddWithoutValidation("Content-Type", route == "priors" ? "multipart/form-data; boundary=held" : "application/yaml");
        var holding = api.PostAsync($"/api/v1/projects/{DemoProject}/{route}", slow, TestContext.Current.CancellationToken);
        await Task.Delay(300, TestContext.Current.CancellationToken);

        using var refused = await api.GetAsync($"/api/v1/projects/{DemoProject}/{route}", TestContext.Current.CancellationToken);
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
