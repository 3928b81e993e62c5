using Microsoft.Net.Http.Headers;
using PfnStudio.Tokens.Infrastructure;

namespace PfnStudio.Tokens.Authentication;

/// <summary>What a request presents as bearer credentials.</summary>
internal enum BearerCredentialKind
{
    /// <summary>No bearer credentials (no header, or another scheme such as Basic).</summary>
    None,

    /// <summary>One token, in one Authorization header.</summary>
    Token,

    /// <summary>A malformed request: RFC 6750 §3.1 <c>invalid_request</c> (400).</summary>
    InvalidRequest,

    /// <summary>A url-encoded body too large to look for <c>access_token</c> in: refused (413) unread.</summary>
    BodyTooLarge,
}

/// <summary>The parsed bearer credentials of a request; <see cref="Description"/> never contains the token.</summary>
internal readonly record struct BearerCredential(BearerCredentialKind Kind, string Token, string Description)
{
    /// <summary>The RFC 6750 §2.2 / §2.3 parameter name for a token in a form body or query string.</summary>
    public const string AccessTokenParameter = "access_token";

    /// <summary>
    /// The largest url-encoded body searched for <c>access_token</c>; a larger one is refused before any of it is
    /// read, so an anonymous caller cannot make the host buffer and parse a big form.
    /// </summary>
    public const int MaxFormBytes = 16 * 1024;

    private const string Scheme = "Bearer";

    private static BearerCredential None => new(BearerCredentialKind.None, string.Empty, string.Empty);

    private static BearerCredential Invalid(string description) =>
        new(BearerCredentialKind.InvalidRequest, string.Empty, description);

    /// <summary>
    /// Reads the request's bearer credentials per RFC 6750 §2 and RFC 9110 §11: scheme <c>Bearer</c> in any
    /// case, one or more spaces, then the token. Exactly one method may be used: a second Authorization
    /// header, or an <c>access_token</c> also in the query string or form, is <c>invalid_request</c>; so is
    /// a token only in the query string or form, which this service never accepts (URLs end up in logs).
    /// </summary>
    public static async ValueTask<BearerCredential> ParseAsync(HttpRequest request)
    {
        var inQuery = request.Query.ContainsKey(AccessTokenParameter);
        var formToken = await HasFormTokenAsync(request);
        if (formToken is not { } inForm)
        {
            return new BearerCredential(BearerCredentialKind.BodyTooLarge, string.Empty,
                $"A url-encoded request body must be at most {MaxFormBytes / 1024} KiB.");
        }

        var headers = request.Headers.Authorization;

        if (headers.Count == 0)
        {
            return inQuery || inForm
                ? Invalid("Send the token in the Authorization header (Authorization: Bearer <token>), not in the URL or form.")
                : None;
        }

        if (headers.Count > 1)
        {
            return Invalid("The request has more than one Authorization header.");
        }

        var value = headers[0].AsSpan().Trim(" \t");
        if (!value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return None;
        }

        var rest = value[Scheme.Length..];
        if (rest.IsEmpty)
        {
            return Invalid("The Bearer scheme needs a token after it.");
        }

        if (rest[0] != ' ')
        {
            // "Bearerx …" is another scheme's name; "Bearer\t…" is ours with a separator RFC 9110 does not allow.
            return char.IsWhiteSpace(rest[0]) ? Invalid("Separate Bearer and the token with a space.") : None;
        }

        // Never empty: the value was trimmed, so something other than SP and HTAB ends it.
        var token = rest.TrimStart(' ');
        if (inQuery || inForm)
        {
            return Invalid("The token was sent in more than one way; send it only in the Authorization header.");
        }

        return new BearerCredential(BearerCredentialKind.Token, token.ToString(), string.Empty);
    }

    // Whether the body carries access_token; null when it is too large to look. RFC 6750 §2.2 defines the form
    // method only for a url-encoded body of a method with body semantics; GET and multipart bodies are never read.
    private static async ValueTask<bool?> HasFormTokenAsync(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method)
            || !MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            // Refused unread when its Content-Length is too large, and bounded as it arrives (a chunked body declares
            // no length); the endpoint then reads the same bytes.
            var body = await BoundedBody.ReadAsync(request, MaxFormBytes, request.HttpContext.RequestAborted);
            if (body is null)
            {
                return null;
            }

            request.Body = new MemoryStream(body, writable: false);
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            request.Body.Position = 0;
            return form.ContainsKey(AccessTokenParameter);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            // Malformed form data (BadHttpRequestException is an IOException): nothing to find in it.
            return false;
        }
    }
}
