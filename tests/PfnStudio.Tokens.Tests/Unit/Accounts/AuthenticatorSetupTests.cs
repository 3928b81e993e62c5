using PfnStudio.Tokens.Accounts;

namespace PfnStudio.Tokens.Tests.Unit.Accounts;

public sealed class AuthenticatorSetupTests
{
    [Fact]
    public void TheKeyIsShownInUpperCaseGroupsOfFour() =>
        Assert.Equal("ABCD EFGH IJKL MNOP Q", AuthenticatorSetup.FormatKey("abcdefghijklmnopq"));

    [Fact]
    public void TheUriNamesPfnStudioAsIssuerAndTheEmailAsAccountWithTheProvidersParameters() =>
        Assert.Equal(
            "otpauth://totp/PFN%20Studio:ada%2Btest%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=PFN%20Studio&algorithm=SHA1&digits=6&period=30",
            AuthenticatorSetup.AuthenticatorUri("ada+test@example.com", "JBSWY3DPEHPK3PXP"));

    [Theory]
    [InlineData("abcde-fghij", "ABCDE-FGHIJ")]
    [InlineData("abcdefghij", "ABCDE-FGHIJ")]
    [InlineData(" ABCDE FGHIJ ", "ABCDE-FGHIJ")]
    [InlineData("ABC", "ABC")]
    public void RecoveryCodesAreReadAsIdentityStoresThem(string typed, string stored) =>
        Assert.Equal(stored, AuthenticatorSetup.NormalizeRecoveryCode(typed));

    [Theory]
    [InlineData("123 456", true)]
    [InlineData("123-456", true)]
    [InlineData("12345", false)]
    [InlineData("12345a", false)]
    [InlineData("١٢٣٤٥٦", false)]
    public void AnAppCodeIsSixAsciiDigits(string typed, bool isAppCode) =>
        Assert.Equal(isAppCode, AuthenticatorSetup.LooksLikeAppCode(AuthenticatorSetup.NormalizeCode(typed)));
}
