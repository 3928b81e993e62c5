using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using PfnStudio.Tokens.Authentication;

namespace PfnStudio.Tokens.Tests.Unit.Authentication;

/// <summary>Header forms an HTTP client library would normalise away before they reach the server in tests.</summary>
public sealed class BearerCredentialTests
{
    private const string Token = "pfnstudio_pat_AbC123xYz789AAAAAAAAAAAAAAAAAAAA";

    [Theory]
    [InlineData("Bearer\t" + Token, nameof(BearerCredentialKind.InvalidRequest))]
    [InlineData("Bearer \t" + Token, nameof(BearerCredentialKind.Token))] // the token is then judged (and refused) by its shape
    [InlineData("  Bearer " + Token + "  ", nameof(BearerCredentialKind.Token))]
    [InlineData("Bearer", nameof(BearerCredentialKind.InvalidRequest))]
    [InlineData("", nameof(BearerCredentialKind.None))]
    [InlineData("Digest x", nameof(BearerCredentialKind.None))]
    public async Task TheHeaderIsReadPerRfc6750(string header, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = header;

        var credential = await BearerCredential.ParseAsync(context.Request);

        Assert.Equal(expected, credential.Kind.ToString());
        Assert.DoesNotContain(Token, credential.Description, StringComparison.Ordinal);
    }
    private const string InHeaderOnly = "Send the token in the Authorization header (Authorization: Bearer <token>), not in the URL or form.";
    private const string NeedsToken = "The Bearer scheme needs a token after it.";
    private const string TwoHeaders = "The request has more than one Authorization header.";
    private const string Separator = "Separate Bearer and the token with a space.";
    private const string TwoWays = "The token was sent in more than one way; send it only in the Authorization header.";
    private const string TooLarge = "A url-encoded request body must be at most 16 KiB.";

    private static async Task<BearerCredential> ParseAsync(StringValues authorization, string method = "GET", string? query = null,
        string? contentType = null, string? body = null, long? contentLength = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        if (authorization.Count > 0)
        {
            context.Request.Headers.Authorization = authorization;
        }

        if (query is not null)
        {
            context.Request.QueryString = new QueryString(query);
        }

        if (contentType is not null)
        {
            context.Request.ContentType = contentType;
        }

        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = contentLength ?? bytes.Length;
        }

        return await BearerCredential.ParseAsync(context.Request);
    }

    [Theory]
    [InlineData("Bearer " + Token, Token)]
    [InlineData("bearer " + Token, Token)]
    [InlineData("BEARER    " + Token, Token)]
    [InlineData(" \t Bearer " + Token + " \t ", Token)] // OWS (SP and HTAB) around the value is not part of it
    [InlineData("Bearer \t" + Token, "\t" + Token)] // only spaces separate: the tab stays, and the token's shape refuses it
    [InlineData("Bearer " + Token + "\u00A0", Token + "\u00A0")] // a no-break space is not OWS (RFC 9110 §5.6.3)
    [InlineData("Bearer " + Token + "\u2003", Token + "\u2003")] // nor is an em space
    [InlineData("Bearer " + Token + "\n", Token + "\n")]
    [InlineData("Bearer " + Token + " x", Token + " x")]
    public async Task TheTokenIsEverythingAfterTheSpacesAndOnlySpAndHtabAreTrimmedAroundTheValue(string header, string token)
    {
        var credential = await ParseAsync(header);

        Assert.Equal(BearerCredentialKind.Token, credential.Kind);
        Assert.Equal(token, credential.Token);
        Assert.Empty(credential.Description);
    }

    [Theory]
    [InlineData("\u00A0Bearer " + Token)] // a Unicode space before the scheme is not OWS: not our scheme
    [InlineData("\u2003Bearer " + Token)]
    [InlineData("BearerX " + Token)]
    [InlineData("Bearer_" + Token)]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Beare")]
    [InlineData(" \t ")]
    public async Task AnotherSchemeIsNoCredentialAtAll(string header)
    {
        var credential = await ParseAsync(header);

        Assert.Equal(new BearerCredential(BearerCredentialKind.None, string.Empty, string.Empty), credential);
    }

    [Fact]
    public async Task NoHeaderIsNoCredentialAtAll()
    {
        Assert.Equal(new BearerCredential(BearerCredentialKind.None, string.Empty, string.Empty), await ParseAsync(StringValues.Empty));
    }

    [Theory]
    [InlineData("Bearer", NeedsToken)]
    [InlineData("bearer", NeedsToken)]
    [InlineData("Bearer    ", NeedsToken)]
    [InlineData("Bearer \t", NeedsToken)]
    [InlineData("Bearer\t" + Token, Separator)]
    [InlineData("Bearer\u00A0" + Token, Separator)]
    [InlineData("Bearer\u2003" + Token, Separator)]
    [InlineData("Bearer\n" + Token, Separator)]
    public async Task EachMalformedHeaderIsAnInvalidRequestThatSaysWhatIsWrong(string header, string description)
    {
        var credential = await ParseAsync(header);

        Assert.Equal(new BearerCredential(BearerCredentialKind.InvalidRequest, string.Empty, description), credential);
    }

    [Fact]
    public async Task TwoAuthorizationHeadersAreAnInvalidRequest()
    {
        var credential = await ParseAsync(new StringValues(["Bearer " + Token, "Bearer " + Token]));

        Assert.Equal(new BearerCredential(BearerCredentialKind.InvalidRequest, string.Empty, TwoHeaders), credential);
    }

    [Fact]
    public async Task AnAuthorizationHeaderWithoutAValueIsNoCredential()
    {
        var credential = await ParseAsync(new StringValues([null]));

        Assert.Equal(BearerCredentialKind.None, credential.Kind);
    }

    [Theory]
    [InlineData(null, "?access_token=" + Token, null, null, InHeaderOnly)]
    [InlineData(null, null, "application/x-www-form-urlencoded", "access_token=" + Token, InHeaderOnly)]
    [InlineData("Bearer " + Token, "?access_token=" + Token, null, null, TwoWays)]
    [InlineData("Bearer " + Token, "?a=1&access_token=", null, null, TwoWays)]
    [InlineData("Bearer " + Token, null, "application/x-www-form-urlencoded", "a=1&access_token=" + Token, TwoWays)]
    [InlineData("Bearer " + Token, null, "APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-8", "access_token=" + Token, TwoWays)]
    public async Task ATokenInTheQueryOrAPostedFormIsAnInvalidRequest(string? header, string? query, string? contentType, string? body, string description)
    {
        var credential = await ParseAsync(header is null ? StringValues.Empty : new StringValues(header), body is null ? "GET" : "POST", query, contentType, body);

        Assert.Equal(new BearerCredential(BearerCredentialKind.InvalidRequest, string.Empty, description), credential);
    }

    [Theory]
    [InlineData("GET", "application/x-www-form-urlencoded")] // the form method is for POST only
    [InlineData("PUT", "application/x-www-form-urlencoded")]
    [InlineData("POST", "multipart/form-data; boundary=x")]
    [InlineData("POST", "application/json")]
    [InlineData("POST", "text/plain")]
    [InlineData("POST", "not a media type")]
    [InlineData("POST", "application/x-www-form-urlencoded-but-not")]
    public async Task OtherBodiesAreNeverReadForAToken(string method, string contentType)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Headers.Authorization = "Bearer " + Token;
        context.Request.ContentType = contentType;
        var body = new MemoryStream(Encoding.UTF8.GetBytes("access_token=" + Token));
        context.Request.Body = body;

        var credential = await BearerCredential.ParseAsync(context.Request);

        Assert.Equal(new BearerCredential(BearerCredentialKind.Token, Token, string.Empty), credential);
        Assert.Same(body, context.Request.Body);
        Assert.Equal(0, body.Position);
    }

    [Fact]
    public async Task AFormThatIsReadIsLeftForTheEndpointToReadAgainFromTheStart()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Headers.Authorization = "Bearer " + Token;
        context.Request.ContentType = "application/x-www-form-urlencoded";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("name=laptop&scope=read"));

        var credential = await BearerCredential.ParseAsync(context.Request);

        Assert.Equal(new BearerCredential(BearerCredentialKind.Token, Token, string.Empty), credential);
        Assert.False(context.Request.Body.CanWrite);
        Assert.Equal("name=laptop&scope=read", await new StreamReader(context.Request.Body).ReadToEndAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(16 * 1024, null, false)] // exactly the limit: read
    [InlineData(16 * 1024 + 1, null, true)] // one byte past: refused unread
    [InlineData(10, 16L * 1024 + 1, true)] // a declared length past the limit is refused whatever follows
    public async Task AFormBodyIsSearchedUpToTheLimitAndRefusedOnePastIt(int bodyBytes, long? declared, bool refused)
    {
        var body = "a=" + new string('b', bodyBytes - 2);

        var credential = await ParseAsync("Bearer " + Token, "POST", null, "application/x-www-form-urlencoded", body, declared);

        Assert.Equal(
            refused ? new BearerCredential(BearerCredentialKind.BodyTooLarge, string.Empty, TooLarge) : new BearerCredential(BearerCredentialKind.Token, Token, string.Empty),
            credential);
    }

    [Fact]
    public async Task ABodyOfUndeclaredLengthPastTheLimitIsRefused()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/x-www-form-urlencoded";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("a=" + new string('b', 16 * 1024)));

        var credential = await BearerCredential.ParseAsync(context.Request);

        Assert.Equal(new BearerCredential(BearerCredentialKind.BodyTooLarge, string.Empty, TooLarge), credential);
    }

    [Theory]
    [InlineData("a=%")] // a broken escape still reads
    [InlineData("k=v&&&==")]
    public async Task OddButReadableFormsAreSearched(string body)
    {
        var credential = await ParseAsync("Bearer " + Token, "POST", null, "application/x-www-form-urlencoded", body);

        Assert.Equal(new BearerCredential(BearerCredentialKind.Token, Token, string.Empty), credential);
    }

    [Fact]
    public async Task AFormThatCannotBeReadHasNoTokenInItAndIsNoError()
    {
        // A key past the form reader's 2048-character limit: InvalidDataException, caught as "nothing to find".
        var body = new string('k', 3000) + "=1&access_token=" + Token;

        var credential = await ParseAsync("Bearer " + Token, "POST", null, "application/x-www-form-urlencoded", body);

        Assert.Equal(new BearerCredential(BearerCredentialKind.Token, Token, string.Empty), credential);
    }

    [Fact]
    public async Task ABodyThatFailsAsItIsReadHasNoTokenInIt()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Headers.Authorization = "Bearer " + Token;
        context.Request.ContentType = "application/x-www-form-urlencoded";
        context.Request.Body = new FailingStream();

        var credential = await BearerCredential.ParseAsync(context.Request);

        Assert.Equal(new BearerCredential(BearerCredentialKind.Token, Token, string.Empty), credential);
    }

    [Fact]
    public async Task AnAbortedRequestStopsReadingTheForm()
    {
        using var aborted = new CancellationTokenSource();
        await aborted.CancelAsync();
        var context = new DefaultHttpContext { RequestAborted = aborted.Token };
        context.Request.Method = "POST";
        context.Request.Headers.Authorization = "Bearer " + Token;
        context.Request.ContentType = "application/x-www-form-urlencoded";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("access_token=" + Token));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await BearerCredential.ParseAsync(context.Request));
    }

    private sealed class FailingStream : MemoryStream
    {
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            throw new IOException("The client went away.");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new IOException("The client went away.");
    }
}
