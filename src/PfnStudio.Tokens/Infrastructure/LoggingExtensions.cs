using System.Security.Claims;
using Serilog;
using Serilog.Events;

namespace PfnStudio.Tokens.Infrastructure;

/// <summary>Serilog, configured from the <c>"Serilog"</c> section, and one log line per request.</summary>
internal static class LoggingExtensions
{
    /// <summary>
    /// Replaces the default logging with Serilog read from configuration, plus any <c>ILogEventSink</c>
    /// registered in services (tests capture output that way). Anything shaped like a token is redacted to its
    /// prefix in every event (<see cref="TokenRedactingEnricher"/>). No static bootstrap logger is frozen, so
    /// several hosts can run in one process (serilog-aspnetcore #251, #289).
    /// </summary>
    public static WebApplicationBuilder AddLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .Enrich.With<TokenRedactingEnricher>(),
            preserveStaticLogger: true); // each host keeps its own logger; the static Log.Logger is never replaced
        return builder;
    }

    /// <summary>
    /// One line per request: method, path (never the query string), status, elapsed ms, user id and token
    /// prefix (the value of the <paramref name="tokenPrefixClaimType"/> claim, or "-"). No header value is logged.
    /// Call it before <c>UseExceptionHandler</c>, so it sees the status the handler answered with.
    /// </summary>
    public static WebApplication UseRequestLogging(this WebApplication app, string tokenPrefixClaimType)
    {
        // This host's own logger: the static Log.Logger is never configured (preserveStaticLogger above).
        var logger = app.Services.GetRequiredService<Serilog.ILogger>();
        app.UseSerilogRequestLogging(options =>
        {
            options.Logger = logger;
            options.MessageTemplate =
                "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms (user {UserId}, token {TokenPrefix})";
            // Mapped outside the exception handler (UseRequestLogging comes before it), so the status logged is the
            // one the client got (a 503 for a locked store, not 500). A client that went away is no server error.
            options.GetLevel = (http, _, ex) =>
                http.RequestAborted.IsCancellationRequested || http.Response.StatusCode == StatusCodes.Status499ClientClosedRequest
                    ? LogEventLevel.Information
                    : ex is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error : LogEventLevel.Information;
            options.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                diagnostics.Set("UserId", http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "-");
                diagnostics.Set("TokenPrefix", http.User.FindFirstValue(tokenPrefixClaimType) ?? "-");
            };
        });
        return app;
    }
}
