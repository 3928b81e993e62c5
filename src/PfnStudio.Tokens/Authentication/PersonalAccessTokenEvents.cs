using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Authentication;

/// <summary>Hooks the bearer scheme calls; the default implementation does nothing.</summary>
internal class PersonalAccessTokenEvents
{
    /// <summary>Called after a token validated and its principal was built; may add claims or reject.</summary>
    public Func<PersonalAccessTokenValidatedContext, Task> OnTokenValidated { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invokes <see cref="OnTokenValidated"/>.</summary>
    public virtual Task TokenValidated(PersonalAccessTokenValidatedContext context) => OnTokenValidated(context);
}

/// <summary>The context of <see cref="PersonalAccessTokenEvents.OnTokenValidated"/>.</summary>
internal sealed class PersonalAccessTokenValidatedContext : ResultContext<PersonalAccessTokenOptions>
{
    /// <summary>Creates the context with the principal the scheme built for <paramref name="token"/>.</summary>
    public PersonalAccessTokenValidatedContext(
        HttpContext context,
        AuthenticationScheme scheme,
        PersonalAccessTokenOptions options,
        ClaimsPrincipal principal,
        AuthenticatedToken token)
        : base(context, scheme, options)
    {
        Principal = principal;
        Token = token;
    }

    /// <summary>The token that authenticated the request (never its plaintext).</summary>
    public AuthenticatedToken Token { get; }
}
