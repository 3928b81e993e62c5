using PfnStudio.Tokens.PersonalAccessTokens.Verification;

namespace PfnStudio.Tokens.Tests.Unit.PersonalAccessTokens;

/// <summary>Which callers share one per-address failure window.</summary>
public sealed class ClientFailureLimiterKeyTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("::1", "::/64")]
    [InlineData("unknown", "unknown")]
    public void AnAddressCountsAsItsIpv4FormOrItsIpv6Slash64(string client, string key)
    {
        Assert.Equal(key, ClientFailureLimiter.KeyOf(client));
    }

    [Fact]
    public void TwoAddressesOfOneIpv6Slash64ShareAWindowAndTheNextSlash64DoesNot()
    {
        Assert.Equal(ClientFailureLimiter.KeyOf("2001:db8:0:1::a"), ClientFailureLimiter.KeyOf("2001:db8:0:1:ffff::b"));
        Assert.NotEqual(ClientFailureLimiter.KeyOf("2001:db8:0:1::a"), ClientFailureLimiter.KeyOf("2001:db8:0:2::a"));
    }
}
