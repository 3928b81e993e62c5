using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using PfnStudio.Tokens.Infrastructure;

namespace PfnStudio.Tokens.Projects.Artifacts;

/// <summary>
/// Reads a pushed file: the multipart field <c>file</c> (<c>multipart/form-data</c>, RFC 7578), or, where the
/// route allows it, the raw body. Every fault of the body is a 400 or 413 with a problem body.
/// </summary>
internal static class UploadReader
{
    // Boundaries, part headers and a file name, beyond the content itself.
    private const int MultipartFramingBytes = 64 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The file's bytes, UTF-8 text and (multipart only) the last segment of its file name, or the problem to
    /// answer. <paramref name="what"/> names the artifact in messages ("A prior"); <paramref name="notText"/> is
    /// the answer for bytes that are not UTF-8, in the route's own words.
    /// </summary>
    public static async Task<Upload> ReadAsync(
        HttpRequest request, string what, int maxContentBytes, bool rawBodyAllowed, ValidationProblem notText, CancellationToken cancellationToken)
    {
        var isMultipart = request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true;
        if (!isMultipart && !rawBodyAllowed)
        {
            return Upload.Bad($"Send {what.ToLowerInvariant()} as multipart/form-data with the file in a field named \"file\".");
        }

        var body = await BoundedBody.ReadAsync(request, maxContentBytes + (isMultipart ? MultipartFramingBytes : 0), cancellationToken);
        if (body is null)
        {
            return Upload.TooLarge(what, maxContentBytes);
        }

        byte[] bytes;
        string? fileName = null;
        if (isMultipart)
        {
            var part = await ReadFilePartAsync(request.ContentType!, body, cancellationToken);
            if (part.Error is not null)
            {
                return Upload.Bad(part.Error);
            }

            if (part.Content!.Length > maxContentBytes)
            {
                return Upload.TooLarge(what, maxContentBytes);
            }

            (bytes, fileName) = (part.Content, part.FileName);
        }
        else
        {
            bytes = body;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return new Upload { Invalid = notText };
        }

        return new Upload { Bytes = bytes, Text = text, FileName = fileName };
    }

    // The first part named "file", read with the framework's MultipartReader from the bytes already bounded
    // above. Every way a body can break (no or mismatched boundary, no closing boundary, bad part headers)
    // throws InvalidDataException or IOException from the reader; each one is the same 400.
    private static async Task<(byte[]? Content, string? FileName, string? Error)> ReadFilePartAsync(
        string contentType, byte[] body, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 and <= 70 } boundary)
        {
            return (null, null, "The multipart Content-Type has no valid boundary.");
        }

        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(body, writable: false))
            {
                HeadersCountLimit = 16,
                HeadersLengthLimit = 8 * 1024,
            };
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.IsFileDisposition()
                    || !string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, "file", StringComparison.Ordinal))
                {
                    await section.Body.CopyToAsync(Stream.Null, cancellationToken);
                    continue;
                }

                using var content = new MemoryStream();
                await section.Body.CopyToAsync(content, cancellationToken);

                // Browsers and some clients send a path; only its last segment names the file.
                var name = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                return (content.ToArray(), Path.GetFileName(name.Replace('\\', '/')), null);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return (null, null, "The multipart body is malformed.");
        }

        return (null, null, "The multipart body has no file field named \"file\".");
    }

    /// <summary>A read upload, or the problem to answer instead.</summary>
    internal sealed class Upload
    {
        public byte[]? Bytes { get; init; }

        public string? Text { get; init; }

        /// <summary>The last path segment of the part's file name; <see langword="null"/> for a raw body.</summary>
        public string? FileName { get; init; }

        /// <summary>The 400 to answer: a body that is not what the route reads.</summary>
        public ValidationProblem? Invalid { get; init; }

        /// <summary>The 413 to answer.</summary>
        public ProblemHttpResult? TooLargeProblem { get; init; }

        public static Upload Bad(string message) => new() { Invalid = ApiProblems.Invalid("file", message) };

        public static Upload TooLarge(string what, int maxContentBytes) => new() { TooLargeProblem = ApiProblems.TooLarge(what, maxContentBytes) };
    }
}
