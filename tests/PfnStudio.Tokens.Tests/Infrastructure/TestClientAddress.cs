using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>
/// TestServer has no client address; a test names one with the <c>X-Test-Client-Address</c> header, which this
/// test-only startup filter (registered by <see cref="TokensApplication"/>, never by the product) turns into
/// <c>Connection.RemoteIpAddress</c> before the product's middleware runs.
/// </summary>
internal sealed class TestClientAddress : IStartupFilter
{
    public const string Header = "X-Test-Client-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (IPAddress.TryParse(context.Request.Headers[Header].ToString(), out var address))
            {
                context.Connection.RemoteIpAddress = address;
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
