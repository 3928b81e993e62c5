using Microsoft.AspNetCore.Diagnostics;

namespace PfnStudio.Tokens.Infrastructure;

/// <summary>
/// A body the server refused while it was being read — too large (413), arriving too slowly (408, Kestrel's
/// minimum data rate), malformed framing (400) — is the client's fault: it is answered with that status and a
/// problem body, not the exception handler's 500, and (being handled here) is not logged as an error.
/// </summary>
internal sealed class BadRequestBodyHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // MVC's form value provider and others wrap the server's exception; the status is on the innermost one.
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is BadHttpRequestException bad)
            {
                httpContext.Response.StatusCode = bad.StatusCode;
                await ProblemResponses.WriteAsync(httpContext, Title(bad.StatusCode), bad.Message);
                return true;
            }
        }

        return false;
    }

    private static string Title(int status) => status switch
    {
        StatusCodes.Status408RequestTimeout => "Request body too slow",
        StatusCodes.Status413PayloadTooLarge => "Request body too large",
        _ => "Bad request",
    };
}
