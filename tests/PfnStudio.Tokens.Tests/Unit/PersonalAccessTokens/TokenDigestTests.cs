using System.Security.Cryptography;
using System.Text;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;

namespace PfnStudio.Tokens.Tests.Unit.PersonalAccessTokens;

/// <summary>The SHA-256 digest of a presented token and its fixed-time comparison with a row's <c>SecretSha256</c>.</summary>
public sealed class TokenDigestTests
{
    private static string Reference(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void TheDigestIsSha256OfTheUtf8BytesSplitBigEndianIntoTwoHalves()
    {
        // FIPS 180-2's test vector for "abc".
        var digest = TokenDigest.Of("abc");

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", digest.ToHex());
        Assert.Equal(UInt128.Parse("ba7816bf8f01cfea414140de5dae2223", System.Globalization.NumberStyles.HexNumber), digest.High);
        Assert.Equal(UInt128.Parse("b00361a396177a9cb410ff61f20015ad", System.Globalization.NumberStyles.HexNumber), digest.Low);
        Assert.Equal(TokenDigest.Of("abc"), digest);
        Assert.NotEqual(TokenDigest.Of("abd"), digest);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(46)]
    [InlineData(52)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(60_000)]
    public void TextOfEveryLengthHashesLikeSha256(int length)
    {
        var text = new string('A', length);

        Assert.Equal(Reference(text), TokenDigest.Of(text).ToHex());
    }

    [Theory]
    [InlineData("pfnstudio_pat_é")]
    [InlineData("€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€")]
    public void NonAsciiTextHashesItsUtf8Bytes(string text)
    {
        Assert.Equal(Reference(text), TokenDigest.Of(text).ToHex());
    }

    [Fact]
    public void ATokenMatchesItsOwnStoredHexInLowerOrUpperCase()
    {
        var token = PersonalAccessTokenFormat.Generate();
        var digest = TokenDigest.Of(token);
        var hex = Reference(token);

        Assert.Equal(hex, digest.ToHex());
        Assert.True(digest.Matches(hex));
        Assert.True(digest.Matches(hex.ToUpperInvariant()));
        Assert.False(TokenDigest.Of(PersonalAccessTokenFormat.Generate()).Matches(hex));
    }

    [Fact]
    public void OneHexDigitChangedInEitherHalfDoesNotMatch()
    {
        var hex = TokenDigest.Of("abc").ToHex();

        foreach (var i in new[] { 0, 31, 32, 63 })
        {
            var changed = hex[..i] + (hex[i] == '0' ? '1' : '0') + hex[(i + 1)..];
            Assert.False(TokenDigest.Of("abc").Matches(changed), $"digit {i}");
        }
    }

    [Fact]
    public void StoredHexOfTheWrongLengthOrNotHexNeverMatchesAndNeverThrows()
    {
        // A digest whose last byte is 00: its hex without the last two digits would match if a short value were
        // compared as far as it goes (the rest of the buffer is zero).
        var text = Enumerable.Range(0, 100_000).Select(i => $"x{i}").First(t => TokenDigest.Of(t).ToHex().EndsWith("00", StringComparison.Ordinal));
        var digest = TokenDigest.Of(text);
        var hex = digest.ToHex();

        Assert.True(digest.Matches(hex));
        Assert.False(digest.Matches(hex[..62]));
        Assert.False(digest.Matches(hex[..63]));
        Assert.False(digest.Matches(hex + "0"));
        Assert.False(digest.Matches(hex + "00"));
        Assert.False(digest.Matches(string.Empty));
        Assert.False(digest.Matches(hex[..62] + "zz"));
        Assert.False(digest.Matches(hex[..62] + "0g"));
        Assert.False(digest.Matches(hex[..62] + " 0"));
        Assert.False(digest.Matches(new string('z', 64)));
    }

    [Fact]
    public void NullIsRefusedAsAProgrammingError()
    {
        Assert.Throws<ArgumentNullException>(() => TokenDigest.Of(null!));
        Assert.Throws<ArgumentNullException>(() => TokenDigest.Of("abc").Matches(null!));
    }
}
