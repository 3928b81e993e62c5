using Microsoft.AspNetCore.Http;
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
}
