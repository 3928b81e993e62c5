using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>
/// A request body of a given size (<c>a=xxxx…</c>), generated as it is sent so the test holds
/// nothing big; chunked, it declares no length.
/// </summary>
internal sealed class GeneratedBody : HttpContent
{
    private readonly long _bytes;
    private readonly bool _chunked;

    public GeneratedBody(long bytes, bool chunked = false, string contentType = "application/x-www-form-urlencoded")
    {
        _bytes = bytes;
        _chunked = chunked;
        Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var chunk = Encoding.ASCII.GetBytes("a=" + new string('x', (64 * 1024) - 2));
        for (long sent = 0; sent < _bytes; sent += chunk.Length)
        {
            await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, _bytes - sent)));
            chunk.AsSpan().Fill((byte)'x');
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _bytes;
        return !_chunked;
    }
}
