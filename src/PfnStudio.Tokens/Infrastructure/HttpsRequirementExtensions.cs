namespace PfnStudio.Tokens.Infrastructure;

/// <summary>Outside Development, pages (which set Secure-only cookies) need HTTPS.</summary>
internal static class HttpsRequirementExtensions
{
    // Machine routes keep working over plain HTTP (a load balancer's health check, an API client the operator
    // chose to run without TLS); browser pages cannot, because their cookies are Secure-only.
    private static readonly string[] MachinePaths = ["/api/", "/projects/", "/openapi/", "/healthz"];

    /// <summary>
    /// Answers a plain-HTTP request for a page with 400 and a problem body that says to use HTTPS (instead of
    /// the 500 that antiforgery would throw on a Secure-only cookie). Behind a TLS-terminating proxy, set
    /// <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c> so the original scheme is seen.
    /// </summary>
    public static WebApplication UseHttpsForPages(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            return app;
        }

        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "/";
            if (context.Request.IsHttps || MachinePaths.Any(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            // No request header (Host included) is echoed back: with AllowedHosts "*" it is whatever the caller sent.
            const string detail = "This page needs HTTPS: open it with an https:// address. "
                + "Behind a TLS-terminating proxy, set ASPNETCORE_FORWARDEDHEADERS_ENABLED=true.";
            await ProblemResponses.WriteAsync(context, "HTTPS required", detail);
        });
        return app;
    }
}
