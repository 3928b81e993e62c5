namespace PfnStudio.Tokens.Mail;

/// <summary>Registers outgoing mail.</summary>
internal static class MailExtensions
{
    /// <summary>
    /// Adds the <c>Mail</c> settings (validated at start), the in-memory <see cref="MailOutbox"/> and the
    /// <see cref="MailDeliveryService"/> that empties it.
    /// </summary>
    public static IServiceCollection AddMail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MailOptions>()
            .Bind(configuration.GetSection(MailOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<MailOutbox>();
        services.AddHostedService<MailDeliveryService>();
        return services;
    }
}
