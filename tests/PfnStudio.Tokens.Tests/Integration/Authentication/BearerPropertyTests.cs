using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.AspNetCore.Http;
using PfnStudio.Tokens.Authentication;
using PfnStudio.Tokens.Tests.Infrastructure;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Tests.Integration.Authentication;

/// <summary>
/// Property-based checks (FsCheck generators) of the Authorization header and token parsers: arbitrary strings,
/// bytes and lengths never throw, and over HTTP every answer is a challenge or a success for exactly the valid token.
/// </summary>
public sealed class BearerPropertyTests
{
    private static readonly Gen<char> AnyChar = Gen.Choose(0, 0xFFFF).Select(i => (char)i);
    private static readonly Gen<char> Base62 = Gen.Elements(PersonalAccessTokenFormat.Alphabet.ToCharArray());
    private static readonly Gen<char> Printable = Gen.Choose(0x20, 0x7E).Select(i => (char)i);

    /// <summary>Header values around a valid token: case, spacing, mutations, truncations, extensions, noise.</summary>
    private static Gen<string> HeaderValues(string valid) => Gen.OneOf(
        Gen.ArrayOf(AnyChar).Select(c => new string(c)),
        Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Select(b => Encoding.Latin1.GetString(b)),
        Gen.ArrayOf(Printable).Select(c => "Bearer " + new string(c)),
        Gen.ArrayOf(Base62).Select(c => "Bearer pfnstudio_pat_" + new string(c)),
        Gen.Choose(0, valid.Length - 1).Zip(Printable).Select(t => "Bearer " + Mutate(valid, t.Item1, t.Item2)),
        Gen.Choose(0, valid.Length).Select(n => "Bearer " + valid[..n]),
        Gen.ArrayOf(Printable).Select(c => "Bearer " + valid + new string(c)),
        Gen.Choose(1, 8).Zip(Gen.Elements("Bearer", "bearer", "BEARER", "BeArEr", "Basic", "Token", "Bearer:"))
            .Select(t => t.Item2 + new string(' ', t.Item1) + valid),
        Gen.Choose(0, 20_000).Select(n => "Bearer " + new string('A', n)));

    private static string Mutate(string token, int index, char replacement) =>
        string.Concat(token.AsSpan(0, index), replacement.ToString(), token.AsSpan(index + 1));

    [Fact]
    public async Task TheParsersNeverThrowOnArbitraryInput()
    {
        var samples = HeaderValues(PersonalAccessTokenFormat.Generate()).Sample(2_000, 3_000);
        foreach (var value in samples)
        {
            var context = new DefaultHttpContext();
            context.Request.Headers.Authorization = value;

            var credential = await BearerCredential.ParseAsync(context.Request);
            var wellFormed = PersonalAccessTokenFormat.TryGetPrefix(credential.Token, out var prefix);

            // Legacy: the marker and 32 base62 characters. Current: 38, the last 6 the CRC-32 of the rest in base62.
            var token = credential.Token;
            var shaped = credential.Kind == BearerCredentialKind.Token && token.StartsWith("pfnstudio_pat_", StringComparison.Ordinal)
                && token[14..].All(char.IsAsciiLetterOrDigit);
            Assert.Equal(wellFormed, shaped && (token.Length == 46 || (token.Length == 52 && token == PersonalAccessTokenFormat.WithChecksum(token[..46]))));
            Assert.Equal(wellFormed ? 12 : 0, prefix.Length);
        }
    }

    [Fact]
    public async Task OverHttpEveryHeaderIsAChallengeOrASuccessForExactlyTheValidToken()
    {
        await using var app = new TokensApplication();
        var user = await app.CreateUserAsync("property@example.com");
        var valid = await app.IssueTokenAsync(user.Id, "property");
        using var client = app.CreateClient();
        var checkedCount = 0;

        // Verified once, as its owner would have: the per-address throttle (429) that the wrong secrets below
        // trigger never locks out a token this process already verified.
        using (var warm = await app.CreateClientWithToken(valid).GetAsync("/api/v1/me"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        foreach (var value in HeaderValues(valid).Sample(1_000, 400))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
            if (!request.Headers.TryAddWithoutValidation("Authorization", value) || value.Any(c => c is '\r' or '\n' or '\0'))
            {
                continue; // HttpClient itself refuses to send it
            }

            using var response = await client.SendAsync(request);
            checkedCount++;
            var presentsValid = value.Trim(' ', '\t') is var v
                && v.StartsWith("bearer ", StringComparison.OrdinalIgnoreCase) && v[7..].TrimStart(' ') == valid;

            if (presentsValid)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                continue;
            }

            Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest or HttpStatusCode.TooManyRequests,
                $"{(int)response.StatusCode} for a header of {value.Length} characters");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
            }
            else
            {
                Assert.StartsWith("Bearer realm=\"pfnstudio\"", response.Headers.WwwAuthenticate.ToString());
            }

            Assert.DoesNotContain(valid[26..], await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.True(checkedCount > 100, $"only {checkedCount} samples could be sent");
    }
}
