using Microsoft.AspNetCore.Http.Features;

namespace PfnStudio.Tokens.Infrastructure;

/// <summary>Reads a request body into memory, refusing more than a limit.</summary>
internal static class BoundedBody
{
    /// <summary>
    /// The whole body, or <see langword="null"/> when it is longer than <paramref name="limitBytes"/>. The
    /// declared <c>Content-Length</c> is checked first, the server's own body limit is lowered to match (Kestrel
    /// then stops reading early), and the bytes are counted as they arrive for chunked bodies.
    /// </summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long limitBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limitBytes)
        {
            return null;
        }

        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = limitBytes + 1;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limitBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return buffer.ToArray();
    }
}
