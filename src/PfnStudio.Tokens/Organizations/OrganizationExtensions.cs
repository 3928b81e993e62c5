namespace PfnStudio.Tokens.Organizations;

/// <summary>Registers organizations and creates the default one at start.</summary>
internal static class OrganizationExtensions
{
    /// <summary>Adds <see cref="OrganizationOptions"/> (section <c>Organizations</c>) and <see cref="OrganizationService"/>.</summary>
    public static IServiceCollection AddOrganizations(this IServiceCollection services)
    {
        services.AddOptions<OrganizationOptions>().BindConfiguration(OrganizationOptions.SectionName).ValidateOnStart();
        services.AddScoped<OrganizationService>();
        services.AddScoped<MembershipService>();
        services.AddScoped<ProjectService>();
        return services;
    }

    /// <summary>
    /// Creates the default organization <c>pfnstudio</c> and project <c>pfnstudio-demo</c> when missing
    /// (idempotent; run after migrations, before serving or running an operator command).
    /// </summary>
    public static async Task EnsureDefaultOrganizationAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<OrganizationService>().EnsureDefaultsAsync();
    }
}
