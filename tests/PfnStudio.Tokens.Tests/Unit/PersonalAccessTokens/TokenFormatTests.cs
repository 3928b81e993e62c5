using PfnStudio.Tokens.PersonalAccessTokens;


namespace PfnStudio.Tokens.Tests.Unit.PersonalAccessTokens;

public sealed class TokenFormatTests
{
    [Fact]
    public void AGeneratedTokenIsTheMarkerAnd32Base62Characters()
    {
        var token = PersonalAccessTokenFormat.Generate();

        Assert.Matches("^pfnstudio_pat_[0-9A-Za-z]{32}$", token);
        Assert.Equal(46, token.Length);
    }

    [Fact]
    public void ThePrefixIsTheFirst12CharactersAfterTheMarker()
    {
        var token = PersonalAccessTokenFormat.Generate();

        Assert.True(PersonalAccessTokenFormat.TryGetPrefix(token, out var prefix));
        Assert.Equal(token.Substring(14, 12), prefix);
        Assert.Equal($"pfnstudio_pat_{prefix}…", PersonalAccessTokenFormat.Display(prefix));
    }

    [Fact]
    public void TokensAreDistinctAndUseTheWholeAlphabet()
    {
        var tokens = Enumerable.Range(0, 2000).Select(_ => PersonalAccessTokenFormat.Generate()).ToList();

        Assert.Equal(tokens.Count, tokens.Distinct(StringComparer.Ordinal).Count());
        var used = tokens.SelectMany(t => t[14..]).ToHashSet();
        Assert.Equal(PersonalAccessTokenFormat.Alphabet.ToHashSet(), used);
    }

    [Theory]
    [InlineData("")]
    [InlineData("pfnstudio_pat_")]
    [InlineData("pfnstudio_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 31
    [InlineData("pfnstudio_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 33
    [InlineData("PFNSTUDIO_PAT_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("ghp_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("pfnstudio_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-")]
    [InlineData("pfnstudio_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA ")]
    [InlineData("pfnstudio_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAé")]
    [InlineData("pfnstudio_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA٣")] // an Arabic-Indic digit is not base62
    public void TryGetPrefixRejectsAnythingThatIsNotExactlyAToken(string candidate)
    {
        Assert.False(PersonalAccessTokenFormat.TryGetPrefix(candidate, out var prefix));
        Assert.Equal(string.Empty, prefix);
    }
}
