using System.Security.Cryptography;
using System.Text.RegularExpressions;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Tests.Unit.PersonalAccessTokens;

public sealed class TokenFormatTests
{
    private static readonly Regex Published = new($"^{PersonalAccessTokenFormat.Pattern}$", RegexOptions.CultureInvariant);
    private static readonly Regex PublishedLegacy = new($"^{PersonalAccessTokenFormat.LegacyPattern}$", RegexOptions.CultureInvariant);

    [Fact]
    public void AGeneratedTokenIsTheMarker32Base62CharactersAndA6CharacterChecksum()
    {
        var token = PersonalAccessTokenFormat.Generate();

        Assert.Matches("^pfnstudio_pat_[0-9A-Za-z]{38}$", token);
        Assert.Equal(52, token.Length);
        Assert.True(PersonalAccessTokenFormat.HasValidChecksum(token));
    }

    [Fact]
    public void TheChecksumIsTheZlibCrc32OfMarkerAndRandomPartInBase62()
    {
        // zlib.crc32(b"123456789") == 0xCBF43926, the CRC-32 check value.
        Assert.Equal(0xCBF43926u, PersonalAccessTokenFormat.Crc32("123456789"));

        var head = "pfnstudio_pat_" + new string('A', 32);
        var crc = PersonalAccessTokenFormat.Crc32(head);
        var digits = new char[6];
        for (var i = 5; i >= 0; i--)
        {
            digits[i] = PersonalAccessTokenFormat.Alphabet[(int)(crc % 62)];
            crc /= 62;
        }

        Assert.Equal(head + new string(digits), PersonalAccessTokenFormat.WithChecksum(head));

        // The same value as docs/secret-scanning.md's Python (zlib.crc32) gives.
        Assert.Equal("pfnstudio_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1HhQjS", PersonalAccessTokenFormat.WithChecksum(head));
    }

    [Fact]
    public void TenThousandGeneratedTokensAllPassTheChecksumThePublishedPatternAndTryGetPrefix()
    {
        var tokens = Enumerable.Range(0, 10_000).Select(_ => PersonalAccessTokenFormat.Generate()).ToList();

        Assert.Equal(tokens.Count, tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.All(tokens, token =>
        {
            Assert.True(PersonalAccessTokenFormat.HasValidChecksum(token));
            Assert.Matches(Published, token);
            Assert.DoesNotMatch(PublishedLegacy, token);
            Assert.True(PersonalAccessTokenFormat.TryGetPrefix(token, out var prefix));
            Assert.Equal(token.Substring(14, 12), prefix);
        });
    }

    [Fact]
    public void OneCharacterChangedAnywhereIsRefusedByTheChecksum()
    {
        // CRC-32 detects every single-character change, so this holds for every position and replacement.
        foreach (var token in Enumerable.Range(0, 200).Select(_ => PersonalAccessTokenFormat.Generate()))
        {
            for (var i = 0; i < token.Length; i++)
            {
                var replacement = PersonalAccessTokenFormat.Alphabet[RandomNumberGenerator.GetInt32(62)];
                if (replacement == token[i])
                {
                    replacement = replacement == 'z' ? '0' : PersonalAccessTokenFormat.Alphabet[PersonalAccessTokenFormat.Alphabet.IndexOf(replacement) + 1];
                }

                var nearMiss = string.Concat(token.AsSpan(0, i), replacement.ToString(), token.AsSpan(i + 1));
                Assert.False(PersonalAccessTokenFormat.TryGetPrefix(nearMiss, out _), $"position {i}");
                Assert.False(PersonalAccessTokenFormat.HasValidChecksum(nearMiss));
            }
        }
    }

    [Fact]
    public void WrongLengthsWrongMarkersSwappedCharactersAndRandomBase62AreRefused()
    {
        var token = PersonalAccessTokenFormat.Generate();
        var nearMisses = new List<string>
        {
            token[..^1],
            token + "A",
            token[1..],
            "pfnstudio_pax_" + token[14..],
            "PFNSTUDIO_PAT_" + token[14..],
            "pfnstudio-pat-" + token[14..],
            "ghp_" + token[14..],
            string.Concat(token.AsSpan(0, 20), token[21].ToString(), token[20].ToString(), token.AsSpan(22)),
        };
        Assert.All(nearMisses.Where(n => n != token), n => Assert.False(PersonalAccessTokenFormat.TryGetPrefix(n, out _), n.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        // Random text of the right shape passes the 32-bit checksum about once in 4 billion.
        var random = Enumerable.Range(0, 10_000).Select(_ => "pfnstudio_pat_" + RandomNumberGenerator.GetString(PersonalAccessTokenFormat.Alphabet, 38));
        Assert.All(random, r => Assert.False(PersonalAccessTokenFormat.HasValidChecksum(r)));
    }

    [Fact]
    public void ALegacyTokenHasNoChecksumAndStillHasAPrefix()
    {
        var legacy = "pfnstudio_pat_" + RandomNumberGenerator.GetString(PersonalAccessTokenFormat.Alphabet, 32);

        Assert.False(PersonalAccessTokenFormat.HasValidChecksum(legacy));
        Assert.True(PersonalAccessTokenFormat.TryGetPrefix(legacy, out var prefix));
        Assert.Equal(legacy.Substring(14, 12), prefix);
        Assert.Matches(PublishedLegacy, legacy);
        Assert.DoesNotMatch(Published, legacy);

        // A legacy token with a checksum appended is a current token with the same prefix.
        Assert.True(PersonalAccessTokenFormat.TryGetPrefix(PersonalAccessTokenFormat.WithChecksum(legacy), out var same));
        Assert.Equal(prefix, same);
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
        var used = tokens.SelectMany(t => t[14..46]).ToHashSet();
        Assert.Equal(PersonalAccessTokenFormat.Alphabet.ToHashSet(), used);
    }

    [Theory]
    [InlineData("")]
    [InlineData("pfnstudio_pat_")]
    [InlineData("pfnstudio_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 31
    [InlineData("pfnstudio_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 33
    [InlineData("pfnstudio_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 38, checksum wrong
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
    [Fact]
    public void TheCrc32OfEveryByteValueIsTheBitwiseDefinitions()
    {
        // Each one-byte input reads a different entry of the table.
        for (var b = 0; b < 256; b++)
        {
            var crc = 0xFFFFFFFFu ^ (uint)b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }

            Assert.Equal(~crc, PersonalAccessTokenFormat.Crc32(((char)b).ToString()));
        }

        Assert.Equal(0u, PersonalAccessTokenFormat.Crc32(string.Empty));
        Assert.Equal(0x414FA339u, PersonalAccessTokenFormat.Crc32("The quick brown fox jumps over the lazy dog"));
    }

    [Theory]
    [InlineData(33)] // one random character too many
    [InlineData(31)] // one too few
    public void AChecksumThatMatchesItsHeadIsRefusedAtAnyOtherLength(int randomLength)
    {
        var token = WithComputedChecksum("pfnstudio_pat_" + new string('A', randomLength));

        Assert.Equal(14 + randomLength + 6, token.Length);
        Assert.False(PersonalAccessTokenFormat.HasValidChecksum(token));
        Assert.False(PersonalAccessTokenFormat.IsWellFormed(token));
    }

    [Theory]
    [InlineData("pfnstudio_pat_AAAAAAAAAAAA-AAAAAAAAAAAAAAAAAAA")] // a character outside base62
    [InlineData("pfnstudio_pat_AAAAAAAAAAAAéAAAAAAAAAAAAAAAAAAA")]
    [InlineData("pfnstudio-pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // another marker
    public void AChecksumThatMatchesItsHeadIsRefusedWithoutTheMarkerAndTheAlphabet(string head)
    {
        var token = WithComputedChecksum(head);

        Assert.Equal(52, token.Length);
        Assert.False(PersonalAccessTokenFormat.HasValidChecksum(token));
        Assert.False(PersonalAccessTokenFormat.TryGetPrefix(token, out _));
    }

    [Theory]
    [InlineData("pfnstudio_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 31 random characters
    [InlineData("pfnstudio_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 33
    [InlineData("pfnstudio_pat_AAAAAAAAAAAA-AAAAAAAAAAAAAAAAAAA")]
    [InlineData("pfnstudio_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1HhQjS")] // already a current token
    public void OnlyTheMarkerAnd32Base62CharactersGetAChecksumAppended(string markerAndRandom)
    {
        var refused = Assert.Throws<ArgumentException>(() => PersonalAccessTokenFormat.WithChecksum(markerAndRandom));

        Assert.Equal("markerAndRandom", refused.ParamName);
        Assert.StartsWith("Expected the marker and 32 base62 characters.", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(markerAndRandom[14..], refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoTextIsAProgrammingErrorNotAMalformedToken()
    {
        Assert.Equal("markerAndRandom", Assert.Throws<ArgumentNullException>(() => PersonalAccessTokenFormat.WithChecksum(null!)).ParamName);
    }

    // The head and its checksum as the format defines it, whatever the head is (the product only appends to well-formed heads).
    private static string WithComputedChecksum(string head)
    {
        var crc = PersonalAccessTokenFormat.Crc32(head);
        var digits = new char[6];
        for (var i = 5; i >= 0; i--)
        {
            digits[i] = PersonalAccessTokenFormat.Alphabet[(int)(crc % 62)];
            crc /= 62;
        }

        return head + new string(digits);
    }
}
