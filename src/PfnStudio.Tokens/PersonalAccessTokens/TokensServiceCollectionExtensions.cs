using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.PersonalAccessTokens.Verification;

namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>Registers the token format's services: hasher, issue/list/revoke service, validator and its hot path.</summary>
internal static class TokensServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="Argon2Options"/> (section <c>Argon2</c>) and <see cref="HotPathOptions"/> (section
    /// <c>HotPath</c>), both validated at start; the Argon2id hasher; the hot path's memos
    /// (<see cref="VerifiedTokenCache"/>, <see cref="FailedTokenMemo"/>, <see cref="ClientFailureLimiter"/>, <see cref="LastUsedRecorder"/>), the
    /// per-request <see cref="TokenStateReader"/>
    /// and the <see cref="LastUsedFlushService"/> that writes "last used" in batches; the audit trail
    /// (<see cref="AuditExtensions.AddAudit"/>);
    /// <see cref="TokenAccessRules"/>, <see cref="PersonalAccessTokenService"/>, <see cref="TokenLifecycleService"/> (regenerate, rename, rotate) with its <see cref="RotationReplay"/>, <see cref="PersonalAccessTokenValidator"/>, and the system
    /// <see cref="TimeProvider"/> unless one is registered.
    /// </summary>
    public static IServiceCollection AddPersonalAccessTokens(this IServiceCollection services)
    {
        services.AddOptions<Argon2Options>()
            .BindConfiguration(Argon2Options.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<Argon2Options>, Argon2OptionsValidator>();
        services.AddOptions<HotPathOptions>()
            .BindConfiguration(HotPathOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<Argon2idTokenHasher>();
        services.AddSingleton<VerifiedTokenCache>();
        services.AddSingleton<FailedTokenMemo>();
        services.AddSingleton<ClientFailureLimiter>();
        services.AddSingleton<TokenStateReader>();
        services.AddSingleton<LastUsedRecorder>();
        services.AddSingleton<LastUsedFlushService>();
        services.AddHostedService(sp => sp.GetRequiredService<LastUsedFlushService>());
        services.AddAudit();
        services.AddScoped<TokenAccessRules>();
        services.AddScoped<PersonalAccessTokenService>();
        services.AddScoped<TokenLifecycleService>();
        services.AddSingleton<RotationReplay>();
        services.AddSingleton<PersonalAccessTokenValidator>();
        services.AddScoped<TokenMail>();
        services.AddSingleton<ExpiryNotices>();
        services.AddHostedService(sp => sp.GetRequiredService<ExpiryNotices>());
        return services;
    }
}
