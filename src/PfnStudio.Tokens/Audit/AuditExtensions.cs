using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PfnStudio.Tokens.Audit;

/// <summary>Registers the audit trail: the in-memory recorder of hot-path uses and the service that writes them.</summary>
internal static class AuditExtensions
{
    /// <summary>Adds <see cref="AuditOptions"/> (section <c>Audit</c>), <see cref="AuditRecorder"/> and <see cref="AuditFlushService"/>.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddOptions<AuditOptions>()
            .BindConfiguration(AuditOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuditRecorder>();
        if (!services.Any(d => d.ServiceType == typeof(AuditFlushService)))
        {
            services.AddSingleton<AuditFlushService>();
            services.AddHostedService(sp => sp.GetRequiredService<AuditFlushService>());
        }

        return services;
    }
}
