namespace PfnStudio.Tokens.Infrastructure;

/// <summary>Security headers on every response.</summary>
internal static class SecurityHeadersExtensions
{
    // Scripts and styles only from wwwroot: no inline script, no CDN, no framing.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Adds a Content-Security-Policy without inline script, <c>X-Content-Type-Options: nosniff</c>,
    /// <c>Referrer-Policy: no-referrer</c> and <c>X-Frame-Options: DENY</c> to every response, error answers
    /// included: they are set as the response starts, so the exception handler (which clears the headers of the
    /// response it replaces) and middleware that answer early cannot drop them. Call it first.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpResponse)state).Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
}
