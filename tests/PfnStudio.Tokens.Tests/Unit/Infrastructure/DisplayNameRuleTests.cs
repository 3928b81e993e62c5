using PfnStudio.Tokens.Infrastructure;

namespace PfnStudio.Tokens.Tests.Unit.Infrastructure;

public sealed class DisplayNameRuleTests
{
    /// <summary>Names that would rewrite, reorder or overdraw what another person sees, with the category refused.</summary>
    public static TheoryData<string, string> Refused => new()
    {
        { "row\u001B[2Kwiped", "control characters" },              // ESC: erase line
        { "\u001B]0;pwned\u0007title", "control characters" },       // OSC: terminal title
        { "\u001B]8;;https://evil.example\u001B\\link", "control characters" }, // OSC 8 hyperlink
        { "one\rtwo", "control characters" },
        { "one\ntwo", "control characters" },
        { "one\r\ntwo", "control characters" },
        { "tab\tname", "control characters" },
        { "nul\0name", "control characters" },
        { "del\u007Fname", "control characters" },
        { "c1\u0085name", "control characters" },                   // NEL
        { "c1\u009Bname", "control characters" },                   // CSI (8-bit)
        { "oidutsnfp\u202E", "invisible formatting characters" },   // right-to-left override
        { "\u202Aembed", "invisible formatting characters" },
        { "pop\u202C", "invisible formatting characters" },
        { "iso\u2066late\u2069", "invisible formatting characters" },
        { "first\u2068strong", "invisible formatting characters" },
        { "zero\u200Bwidth", "invisible formatting characters" },
        { "zero\u200Cnon-joiner", "invisible formatting characters" },
        { "zero\u200Djoiner", "invisible formatting characters" },
        { "mark\u200Fright-to-left", "invisible formatting characters" },
        { "bom\uFEFFinside", "invisible formatting characters" },
        { "soft\u00ADhyphen", "invisible formatting characters" },
        { "word\u2060joiner", "invisible formatting characters" },
        { "line\u2028separator", "line or paragraph separators" },
        { "para\u2029separator", "line or paragraph separators" },
        { "q\u0301\u0301\u0301", "more than 2 combining marks in a row" },          // q has no precomposed form to absorb one
        { "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358\u0359\u035Aalgo", "more than 2 combining marks in a row" },
        { "\u0301leading", "cannot start with a combining mark" },
        { "filler\u3164inside", "invisible filler characters" },
        { "unassigned\u0378", "unassigned characters" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void ANameThatCouldRewriteOrOverdrawAnotherPersonsScreenIsRefusedNotCleaned(string name, string problem)
    {
        var check = DisplayNameRule.Check(name, 100);

        Assert.False(check.IsValid);
        Assert.Contains(problem, check.Problem, StringComparison.Ordinal);

        // The message names the code point, never the character itself.
        Assert.DoesNotContain(check.Problem!, c => char.IsControl(c) || char.IsSurrogate(c) || c is >= '\u2000' and <= '\u206F' or '\uFEFF' or '\u3164' or '\u00AD');
    }

    [Theory]
    [InlineData("  laptop  ", "laptop")]
    [InlineData("Café déjà vu", "Café déjà vu")]
    [InlineData("Cafe\u0301", "Caf\u00E9")]                           // decomposed → NFC
    [InlineData("A\u030A", "\u00C5")]
    [InlineData("tiếng Việt", "tiếng Việt")]                          // two marks on one letter, precomposed
    [InlineData("e\u0323\u0302", "\u1EC7")]                           // two marks, composed by NFC
    [InlineData("ноутбук", "ноутбук")]
    [InlineData("笔记本电脑 💻", "笔记本电脑 💻")]
    [InlineData("مفتاح", "مفتاح")]
    [InlineData("हिन्दी", "हिन्दी")]                                      // Devanagari vowel signs and virama are marks
    [InlineData("<script>&\"quotes\"", "<script>&\"quotes\"")]        // markup is the pages' job (encoded), not the rule's
    public void NamesInAnyScriptWithAccentsAreAcceptedTrimmedAndInNfc(string typed, string stored)
    {
        var check = DisplayNameRule.Check(typed, 100);

        Assert.True(check.IsValid, check.Problem);
        Assert.Equal(stored, check.Value);
    }

    [Fact]
    public void LengthIsCountedInCodePointsAfterNormalisation()
    {
        Assert.True(DisplayNameRule.Check(new string('é', 100), 100).IsValid);
        Assert.True(DisplayNameRule.Check(string.Concat(Enumerable.Repeat("e\u0301", 100)), 100).IsValid); // 200 chars, 100 after NFC
        Assert.True(DisplayNameRule.Check(string.Concat(Enumerable.Repeat("💻", 100)), 100).IsValid);
        Assert.Equal("must be at most 100 characters", DisplayNameRule.Check(new string('x', 101), 100).Problem);
    }

    [Fact]
    public void LoneSurrogatesAreNotValidUnicodeText()
    {
        // In a Fact, not theory data: test-data serialization would replace a lone surrogate before the rule saw it.
        foreach (var name in new[] { "lone\uD800surrogate", "lone\uDC00low", "end\uD83D" })
        {
            Assert.Equal("is not valid Unicode text", DisplayNameRule.Check(name, 100).Problem);
        }
    }

    [Fact]
    public void BlankIsEmptyAndLeftToTheCaller()
    {
        Assert.Equal(new NameCheck(string.Empty, null), DisplayNameRule.Check(null, 100));
        Assert.Equal(new NameCheck(string.Empty, null), DisplayNameRule.Check(" \t ", 100));
    }
}
