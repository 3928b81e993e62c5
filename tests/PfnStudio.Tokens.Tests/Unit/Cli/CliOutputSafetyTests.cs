using PfnStudio.Cli;
using PfnStudio.Cli.Output;

namespace PfnStudio.Tokens.Tests.Unit.Cli;

/// <summary>The pieces that keep the terminal safe: escaping, token redaction, fixed-precision columns.</summary>
public sealed class CliOutputSafetyTests
{
    private const string Token = "pfnstudio_pat_AbC123xYz789SECRETsecretSECRETse";

    [Theory]
    [InlineData("plain text, ünïcödé and 🔑", "plain text, ünïcödé and 🔑")]
    [InlineData("a\u001b[31mb", @"a\x1b[31mb")]
    [InlineData("bell\u0007 tab\t cr\r lf\n nul\0", @"bell\x07 tab\x09 cr\x0d lf\x0a nul\x00")]
    [InlineData("del\u007f c1\u0085\u009b", @"del\x7f c1\x85\x9b")]
    [InlineData("bidi\u202e\u2066\u200f\u061c sep\u2028", @"bidi\u202e\u2066\u200f\u061c sep\u2028")]
    public void ControlAndReorderingCharactersAreShownVisibly(string raw, string shown) =>
        Assert.Equal(shown, TerminalText.Safe(raw));

    [Fact]
    public void ALoneSurrogateBecomesTheReplacementCharacter() =>
        Assert.Equal("lone\ufffdsurrogate \ud83d\udd11", TerminalText.Safe("lone" + '\ud800' + "surrogate \ud83d\udd11"));

    [Fact]
    public void WholeLinesKeepTheirLineBreaksOnly() =>
        Assert.Equal("one\r\ntwo\\x0dthree\n", TerminalText.SafeLines("one\r\ntwo\rthree\n"));

    public static TheoryData<string> Echoes => new()
    {
        Token,
        Token.ToUpperInvariant(),
        "%70%66%6E" + Token[3..],
        string.Concat(Token.Select(c => $"%{(int)c:X2}")),
        string.Concat(Token.Select(c => $"\\u{(int)c:x4}")),
        string.Concat(Token.Select(c => $"&#x{(int)c:x};")),
        string.Concat(Token.Select(c => $"&#{(int)c};")),
        Token[26..],
    };

    [Theory]
    [MemberData(nameof(Echoes))]
    public void TheTokenIsRedactedInAnyDisguiseAnywhereInALine(string echo)
    {
        var redactor = new TokenRedactor(Token);

        var line = redactor.Redact($"before {echo} after");

        Assert.Equal("before [token] after", line);
    }

    [Fact]
    public void ACurrentTokensSecretAndChecksumAreRedactedOnTheirOwnAndItsPrefixIsShown()
    {
        var token = PfnStudio.Tokens.PersonalAccessTokens.PersonalAccessTokenFormat.Generate();
        var redactor = new TokenRedactor(token);

        Assert.Equal("before [token] after", redactor.Redact($"before {token[26..]} after"));
        Assert.Equal("before [token] after", redactor.Redact($"before {token} after"));
        Assert.True(PfnStudio.Cli.TokenShape.IsTokenShaped(token));
        Assert.True(PfnStudio.Cli.TokenShape.IsTokenShaped(Token));
        Assert.False(PfnStudio.Cli.TokenShape.IsTokenShaped(token[..^1]));
    }

    [Fact]
    public void WithoutATokenNothingIsRedacted() =>
        Assert.Equal("pfnstudio_pat_x", TokenRedactor.None.Redact("pfnstudio_pat_x"));

    [Theory]
    [InlineData(new[] { 0.5, -0.25, 1.0 }, 3, new[] { "0.500", "-0.250", "1.000" })]
    [InlineData(new[] { 0.499932, -4.3e-22 }, 3, new[] { "0.500", "0.000" })]
    [InlineData(new[] { 1e-9, 2e-9 }, 3, new[] { "1.000e-09", "2.000e-09" })]
    [InlineData(new[] { 1e13, 1.0 }, 2, new[] { "1.00e+13", "1.00e+00" })]
    public void FixedColumnsUseOneFormatPerColumn(double[] values, int decimals, string[] expected) =>
        Assert.Equal(expected, Table.FixedColumn(values, decimals));
}
