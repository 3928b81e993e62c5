using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PfnStudio.Tokens.Tokens;

/// <summary>Registers the token format's services: hasher, issue/list/revoke service, validator.</summary>
public static class TokensServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="Argon2Options"/> (section <c>Argon2</c>, validated at start), the Argon2id hasher,
    /// the verified-token cache, <see cref="PersonalAccessTokenService"/>, <see cref="PersonalAccessTokenValidator"/>
    /// and the system <see cref="TimeProvider"/> unless one is registered.
    /// </summary>
    public static IServiceCollection AddPersonalAccessTokens(this IServiceCollection services)
    {
        services.AddOptions<Argon2Options>()
            .BindConfiguration(Argon2Options.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<Argon2Options>, Argon2OptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Argon2idTokenHasher>();
        services.AddSingleton<VerifiedTokenCache>();
        services.AddScoped<PersonalAccessTokenService>();
        services.AddScoped<PersonalAccessTokenValidator>();
        return services;
    }
}
