using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>
/// A url-encoded request body of a given size (<c>a=xxxx…&amp;a=xxxx…</c>), generated as it is sent so the test holds
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
        // Many values of 64 KiB, each under the framework's default value limit (4 MiB), as the attack in issue 16:
        // a host that parses the form keeps every one of them.
        var chunk = Encoding.ASCII.GetBytes("a=" + new string('x', (64 * 1024) - 3) + "&");
        for (long sent = 0; sent < _bytes; sent += chunk.Length)
        {
            await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, _bytes - sent)));
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _bytes;
        return !_chunked;
    }
}
