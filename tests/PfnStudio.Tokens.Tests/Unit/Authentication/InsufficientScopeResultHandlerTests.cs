using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Authentication;

namespace PfnStudio.Tokens.Tests.Unit.Authentication;

/// <summary>Which authorization outcomes become the bearer scheme's named-permission 403, and which stay the framework's.</summary>
public sealed class InsufficientScopeResultHandlerTests
{
    private static (DefaultHttpContext Context, RecordingAuthentication Authentication) NewContext()
    {
        var authentication = new RecordingAuthentication();
        var services = new ServiceCollection().AddSingleton<IAuthenticationService>(authentication).BuildServiceProvider();
        return (new DefaultHttpContext { RequestServices = services, User = new ClaimsPrincipal(new ClaimsIdentity("test")) }, authentication);
    }

    private static AuthorizationPolicy Policy(string scheme) => new AuthorizationPolicyBuilder(scheme).RequireAuthenticatedUser().Build();

    [Fact]
    public async Task AMissingPermissionForbidsWithTheBearerSchemeNamingIt()
    {
        var (context, authentication) = NewContext();
        var result = PolicyAuthorizationResult.Forbid(AuthorizationFailure.Failed([new PermissionRequirement("push")]));

        await new InsufficientScopeResultHandler().HandleAsync(_ => Task.CompletedTask, context, Policy(PersonalAccessTokenDefaults.AuthenticationScheme), result);

        var (scheme, properties) = Assert.Single(authentication.Forbidden);
        Assert.Equal(PersonalAccessTokenDefaults.AuthenticationScheme, scheme);
        Assert.Equal("push", properties!.Items[PersonalAccessTokenDefaults.NeededScopeItem]);
    }

    [Fact]
    public async Task AnotherFailedRequirementIsForbiddenByTheFrameworkWithThePolicysSchemes()
    {
        var (context, authentication) = NewContext();
        var result = PolicyAuthorizationResult.Forbid(AuthorizationFailure.Failed([new RolesAuthorizationRequirement(["admin"])]));

        await new InsufficientScopeResultHandler().HandleAsync(_ => Task.CompletedTask, context, Policy("Cookies"), result);

        var (scheme, properties) = Assert.Single(authentication.Forbidden);
        Assert.Equal("Cookies", scheme);
        Assert.False(properties?.Items.ContainsKey(PersonalAccessTokenDefaults.NeededScopeItem) ?? false);
    }

    [Fact]
    public async Task ASuccessRunsTheEndpoint()
    {
        var (context, authentication) = NewContext();
        var ran = false;

        await new InsufficientScopeResultHandler().HandleAsync(_ => { ran = true; return Task.CompletedTask; }, context,
            Policy(PersonalAccessTokenDefaults.AuthenticationScheme), PolicyAuthorizationResult.Success());

        Assert.True(ran);
        Assert.Empty(authentication.Forbidden);
    }

    private sealed class RecordingAuthentication : IAuthenticationService
    {
        public List<(string? Scheme, AuthenticationProperties? Properties)> Forbidden { get; } = [];

        public Task<AuthenticateResult> AuthenticateAsync(HttpContext context, string? scheme) => Task.FromResult(AuthenticateResult.NoResult());

        public Task ChallengeAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) => Task.CompletedTask;

        public Task ForbidAsync(HttpContext context, string? scheme, AuthenticationProperties? properties)
        {
            Forbidden.Add((scheme, properties));
            return Task.CompletedTask;
        }

        public Task SignInAsync(HttpContext context, string? scheme, ClaimsPrincipal principal, AuthenticationProperties? properties) => Task.CompletedTask;

        public Task SignOutAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) => Task.CompletedTask;
    }
}
