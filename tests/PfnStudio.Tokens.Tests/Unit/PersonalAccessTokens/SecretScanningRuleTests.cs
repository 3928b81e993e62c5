using System.Security.Cryptography;
using System.Text.RegularExpressions;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Unit.PersonalAccessTokens;

/// <summary>
/// The shipped gitleaks rule file (docs/secret-scanning/gitleaks.toml) and the README's published regular expressions:
/// parsed here, then applied with .NET's Regex (the patterns use only what RE2, gitleaks' engine, reads the same way)
/// to real tokens in text and to near misses.
/// </summary>
public sealed class SecretScanningRuleTests
{
    private static readonly string[] Contexts =
    [
        "export PFNSTUDIO_TOKEN={0}\n",
        "PFNSTUDIO_TOKEN=\"{0}\"",
        "{{\"token\": \"{0}\", \"url\": \"x\"}}",
        "curl -H 'Authorization: Bearer {0}' https://studio.example.com/api/v1/me",
        "https://studio.example.com/?access_token={0}&x=1",
        "{0}",
        "token: {0}. Next line",
    ];

    [Fact]
    public void TheRuleFileHasBothRulesWithIdDescriptionRegexAndKeywords()
    {
        var rules = GitleaksRule.ReadAll(RepositoryFiles.PathOf("docs", "secret-scanning", "gitleaks.toml"));

        Assert.Equal(["pfnstudio-personal-access-token", "pfnstudio-personal-access-token-legacy"], rules.Select(r => r.Id));
        Assert.All(rules, r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.Description));
            Assert.Equal(["pfnstudio_pat_"], r.Keywords);
        });
        Assert.Equal(PersonalAccessTokenFormat.Pattern, rules[0].Regex);
        Assert.Equal(PersonalAccessTokenFormat.LegacyPattern, rules[1].Regex);
    }

    [Fact]
    public void TheReadmePublishesBothRegularExpressions()
    {
        var readme = File.ReadAllText(RepositoryFiles.PathOf("README.md"));

        Assert.Contains($"`{PersonalAccessTokenFormat.Pattern}`", readme, StringComparison.Ordinal);
        Assert.Contains($"`{PersonalAccessTokenFormat.LegacyPattern}`", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRulesFindRealTokensInTextAndEachOnlyItsOwnFormat()
    {
        var rules = GitleaksRule.ReadAll(RepositoryFiles.PathOf("docs", "secret-scanning", "gitleaks.toml"));
        var current = new Regex(rules[0].Regex, RegexOptions.CultureInvariant);
        var legacy = new Regex(rules[1].Regex, RegexOptions.CultureInvariant);

        for (var i = 0; i < 200; i++)
        {
            var token = PersonalAccessTokenFormat.Generate();
            var old = Legacy();
            foreach (var context in Contexts)
            {
                var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, context, token);
                Assert.Equal(token, Assert.Single(current.Matches(text)).Value);
                Assert.Empty(legacy.Matches(text));
                Assert.True(PersonalAccessTokenFormat.HasValidChecksum(current.Match(text).Value));

                var oldText = string.Format(System.Globalization.CultureInfo.InvariantCulture, context, old);
                Assert.Equal(old, Assert.Single(legacy.Matches(oldText)).Value);
                Assert.Empty(current.Matches(oldText));
            }
        }
    }

    [Fact]
    public void NearMissesAreNotMatchedOrFailTheChecksum()
    {
        var rules = GitleaksRule.ReadAll(RepositoryFiles.PathOf("docs", "secret-scanning", "gitleaks.toml"));
        var current = new Regex(rules[0].Regex, RegexOptions.CultureInvariant);
        var legacy = new Regex(rules[1].Regex, RegexOptions.CultureInvariant);
        var token = PersonalAccessTokenFormat.Generate();

        // Not token-shaped: neither rule matches.
        foreach (var miss in new[]
                 {
                     token + "x", token[..^1] + "-", "pfnstudio_pax_" + token[14..], "PFNSTUDIO_PAT_" + token[14..], token[..40],
                     "pfnstudio_pat_" + token[14..26] + "…", "pfnstudio_pat_",
                 })
        {
            Assert.Empty(current.Matches($"TOKEN={miss} "));
            Assert.Empty(legacy.Matches($"TOKEN={miss} "));
        }

        // Token-shaped with one character changed: the regex matches, the checksum refuses it (a scanner verifies it offline).
        for (var i = 14; i < token.Length; i++)
        {
            var changed = string.Concat(token.AsSpan(0, i), (token[i] == 'a' ? 'b' : 'a').ToString(), token.AsSpan(i + 1));
            var match = current.Match($"TOKEN={changed} ");
            Assert.True(match.Success);
            Assert.False(PersonalAccessTokenFormat.HasValidChecksum(match.Value));
        }
    }

    private static string Legacy() => "pfnstudio_pat_" + RandomNumberGenerator.GetString(PersonalAccessTokenFormat.Alphabet, 32);

    /// <summary>One [[rules]] table of a gitleaks config: the keys this file uses (strings, '''literal''' strings, string arrays).</summary>
    private sealed record GitleaksRule(string Id, string Description, string Regex, IReadOnlyList<string> Keywords)
    {
        public static List<GitleaksRule> ReadAll(string path)
        {
            var rules = new List<GitleaksRule>();
            Dictionary<string, string>? current = null;
            foreach (var raw in File.ReadAllLines(path))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                if (line.StartsWith('['))
                {
                    Flush();
                    current = line == "[[rules]]" ? [] : null;
                    continue;
                }

                var equals = line.IndexOf('=', StringComparison.Ordinal);
                if (current is not null && equals > 0)
                {
                    current[line[..equals].Trim()] = line[(equals + 1)..].Trim();
                }
            }

            Flush();
            return rules;

            void Flush()
            {
                if (current is not null)
                {
                    rules.Add(new GitleaksRule(Text(current["id"]), Text(current["description"]), Text(current["regex"]), Array(current["keywords"])));
                }
            }
        }

        private static string Text(string value) =>
            value.StartsWith("'''", StringComparison.Ordinal) ? value[3..^3]
            : value.StartsWith('"') ? System.Text.Json.JsonSerializer.Deserialize<string>(value)!
            : throw new FormatException($"Not a TOML string: {value}");

        private static List<string> Array(string value) =>
            System.Text.Json.JsonSerializer.Deserialize<List<string>>(value) ?? throw new FormatException(value);
    }
}
