using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using PfnStudio.Tokens.Authentication;

namespace PfnStudio.Tokens.Tests.Unit.Authentication;

/// <summary>The scheme's names, its challenge text (RFC 6750 §3) and its permission handler.</summary>
public sealed class PersonalAccessTokenDefaultsTests
{
    [Fact]
    public void AChallengeWithoutAnErrorIsTheRealmOnly()
    {
        Assert.Equal("Bearer realm=\"pfnstudio\"", PersonalAccessTokenDefaults.Challenge("pfnstudio", null));
        Assert.Equal("Bearer realm=\"pfnstudio\"", PersonalAccessTokenDefaults.Challenge("pfnstudio", null, "ignored", "ignored"));
    }

    [Fact]
    public void AChallengeWithAnErrorNamesItAndItsDescriptionWithDoubleQuotesMadeSingle()
    {
        Assert.Equal(
            "Bearer realm=\"r\", error=\"invalid_token\", error_description=\"a 'b' c\"",
            PersonalAccessTokenDefaults.Challenge("r", "invalid_token", "a \"b\" c"));
        Assert.Equal("Bearer realm=\"r\", error=\"invalid_request\", error_description=\"\"", PersonalAccessTokenDefaults.Challenge("r", "invalid_request"));
    }

    [Fact]
    public void AChallengeWithAScopeNamesItLast()
    {
        Assert.Equal(
            "Bearer realm=\"pfnstudio\", error=\"insufficient_scope\", error_description=\"Needs push.\", scope=\"push\"",
            PersonalAccessTokenDefaults.Challenge("pfnstudio", "insufficient_scope", "Needs push.", "push"));
    }

    [Fact]
    public void EachPermissionHasItsOwnPolicyName()
    {
        Assert.Equal("PersonalAccessToken:push", PersonalAccessTokenDefaults.PolicyFor("push"));
        Assert.Equal("PersonalAccessToken:read", PersonalAccessTokenDefaults.PolicyFor("read"));
    }

    [Fact]
    public void AFailureCarriesItsCodeDescriptionAndWaitAsItsMessage()
    {
        var failure = new PersonalAccessTokenFailure(PersonalAccessTokenFailure.TooManyAttempts, "Wait.", TimeSpan.FromSeconds(3));

        Assert.Equal(("too_many_attempts", "Wait.", "Wait.", TimeSpan.FromSeconds(3)), (failure.Error, failure.Description, failure.Message, failure.RetryAfter));
        Assert.Null(new PersonalAccessTokenFailure(PersonalAccessTokenFailure.InvalidToken, "No.").RetryAfter);
    }

    [Fact]
    public void DefaultOptionsUseTheRealmAFiveSecondRetryAndEventsThatDoNothing()
    {
        var options = new PersonalAccessTokenOptions();

        Assert.Equal(("pfnstudio", 5), (options.Realm, options.RetryAfterSeconds));
        Assert.IsType<PersonalAccessTokenEvents>(options.Events);
        Assert.True(options.Events.OnTokenValidated(null!).IsCompletedSuccessfully);
    }

    [Theory]
    [InlineData(new[] { "pat" }, "push", true)] // full access grants every permission
    [InlineData(new[] { "read" }, "read", true)]
    [InlineData(new[] { "read" }, "push", false)]
    [InlineData(new string[0], "read", false)]
    public async Task APermissionIsGrantedOnlyByTheScopesThatGrantIt(string[] scopes, string permission, bool granted)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity(scopes.Select(s => new Claim(PersonalAccessTokenClaimTypes.Scope, s)), "test"));
        var requirement = new PermissionRequirement(permission);
        var context = new AuthorizationHandlerContext([requirement], user, null);

        await new PermissionAuthorizationHandler().HandleAsync(context);

        Assert.Equal(granted, context.HasSucceeded);
    }
}
