using Microsoft.Net.Http.Headers;

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
}

/// <summary>The parsed bearer credentials of a request; <see cref="Description"/> never contains the token.</summary>
internal readonly record struct BearerCredential(BearerCredentialKind Kind, string Token, string Description)
{
    /// <summary>The RFC 6750 §2.2 / §2.3 parameter name for a token in a form body or query string.</summary>
    public const string AccessTokenParameter = "access_token";

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
        var inForm = await HasFormTokenAsync(request);
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

        var value = (headers[0] ?? string.Empty).AsSpan().Trim(" \t");
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

        var token = rest.TrimStart(' ');
        if (token.IsEmpty)
        {
            return Invalid("The Bearer scheme needs a token after it.");
        }

        if (inQuery || inForm)
        {
            return Invalid("The token was sent in more than one way; send it only in the Authorization header.");
        }

        return new BearerCredential(BearerCredentialKind.Token, token.ToString(), string.Empty);
    }

    private static async ValueTask<bool> HasFormTokenAsync(HttpRequest request)
    {
        // Only a url-encoded body can carry access_token (RFC 6750 §2.2); multipart bodies are not read here.
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            return form.ContainsKey(AccessTokenParameter);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or BadHttpRequestException)
        {
            return false;
        }
    }
}
