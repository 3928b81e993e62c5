using PfnStudio.Tokens.Infrastructure;

namespace PfnStudio.Tokens.Tests.Unit.Infrastructure;

public sealed class TokenRedactionTests
{
    private const string Token = "pfnstudio_pat_AbC123xYz7890123456789abcdefghijklmnop";

    [Theory]
    [InlineData("Send a personal access token: Authorization: Bearer pfnstudio_pat_…")]
    [InlineData("pfnstudio_pat_AbC123xYz789")]
    [InlineData("nothing to see here")]
    public void TextWithNothingAfterThePublicPrefixIsLeftAsItIs(string text)
    {
        Assert.Equal(text, TokenRedaction.Redact(text));
    }

    [Fact]
    public void ATokenIsCutToItsPrefixWithOneEllipsis()
    {
        Assert.Equal("project pfnstudio_pat_AbC123xYz789… not found", TokenRedaction.Redact($"project {Token} not found"));
    }

    [Fact]
    public void AnEncodedTokenBesideAPlainOneIsRedactedToo()
    {
        var encoded = Token.Replace("_", "%5F", StringComparison.Ordinal);

        var redacted = TokenRedaction.Redact($"{Token} and {encoded}");

        Assert.DoesNotContain("0123456789abcdef", redacted, StringComparison.Ordinal);
        Assert.Equal("pfnstudio_pat_AbC123xYz789… and pfnstudio_pat_AbC123xYz789…", redacted);
    }
}
