using System.Net;
using Microsoft.Extensions.Options;

namespace PfnStudio.Tokens.Infrastructure;

/// <summary>
/// Which peers may set the client address and scheme with <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c>
/// (section <c>ForwardedHeaders</c>). Forwarded headers are read only when
/// <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c>; the framework then trusts every peer, so anyone who reaches the
/// host directly could choose the address that the per-address failure limit counts and the audit trail records.
/// Here only the listed proxies are trusted; with neither list set, only loopback (a proxy on the same machine).
/// </summary>
internal sealed class ForwardedHeadersSettings
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Addresses of trusted proxies, separated by commas, e.g. <c>10.0.0.5, 2001:db8::5</c>.</summary>
    public string? KnownProxies { get; set; }

    /// <summary>Networks of trusted proxies in CIDR notation, separated by commas, e.g. <c>10.0.0.0/24</c>.</summary>
    public string? KnownNetworks { get; set; }

    /// <summary>The entries of a comma-separated list, trimmed, empty ones dropped.</summary>
    public static string[] Entries(string? list) =>
        list?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
}

/// <summary>Registers the trusted-proxy settings and applies them to the framework's forwarded-headers middleware.</summary>
internal static class ForwardedHeadersExtensions
{
    /// <summary>
    /// Binds and validates <see cref="ForwardedHeadersSettings"/> at start (a bad entry stops the host with one line
    /// naming it) and replaces the framework's "trust every peer" with exactly the listed proxies and networks, or
    /// loopback when none is listed.
    /// </summary>
    public static IServiceCollection AddTrustedForwardedHeaders(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersSettings>()
            .BindConfiguration(ForwardedHeadersSettings.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ForwardedHeadersSettings>, ForwardedHeadersSettingsValidator>();

        // PostConfigure runs after the framework's own setup, which clears both lists when the setting enables forwarding.
        services.AddOptions<ForwardedHeadersOptions>().PostConfigure<IOptions<ForwardedHeadersSettings>>((options, settings) =>
        {
            var proxies = ForwardedHeadersSettings.Entries(settings.Value.KnownProxies).Select(IPAddress.Parse).ToList();
            var networks = ForwardedHeadersSettings.Entries(settings.Value.KnownNetworks).Select(n => IPNetwork.Parse(n)).ToList();
            if (proxies.Count == 0 && networks.Count == 0)
            {
                proxies.Add(IPAddress.IPv6Loopback);
                networks.Add(new IPNetwork(IPAddress.Loopback, 8));
            }

            options.KnownProxies.Clear();
#pragma warning disable ASPDEPR005 // The obsolete list is still consulted; it must not keep anything the framework put there.
            options.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(proxy);
            }

            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(network);
            }
        });
        return services;
    }

    private sealed class ForwardedHeadersSettingsValidator : IValidateOptions<ForwardedHeadersSettings>
    {
        public ValidateOptionsResult Validate(string? name, ForwardedHeadersSettings options)
        {
            foreach (var entry in ForwardedHeadersSettings.Entries(options.KnownProxies))
            {
                if (!IPAddress.TryParse(entry, out _))
                {
                    return ValidateOptionsResult.Fail(
                        $"{ForwardedHeadersSettings.SectionName}:{nameof(ForwardedHeadersSettings.KnownProxies)}: \"{entry}\" is not an IP address (e.g. 10.0.0.5 or 2001:db8::5).");
                }
            }

            foreach (var entry in ForwardedHeadersSettings.Entries(options.KnownNetworks))
            {
                if (!IPNetwork.TryParse(entry, out _))
                {
                    return ValidateOptionsResult.Fail(
                        $"{ForwardedHeadersSettings.SectionName}:{nameof(ForwardedHeadersSettings.KnownNetworks)}: \"{entry}\" is not a network in CIDR notation (e.g. 10.0.0.0/24).");
                }
            }

            return ValidateOptionsResult.Success;
        }
    }
}
