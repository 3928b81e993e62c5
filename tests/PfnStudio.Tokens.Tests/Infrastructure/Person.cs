using System.Net;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>One browser on one host, whose session cookie the test can copy (to replay it after the session ends).</summary>
internal sealed class Person
{
    private readonly CookieContainer _cookies = new();
    private readonly Uri _base;

    public Person(TokensApplication host)
    {
        _base = host.ClientOptions.BaseAddress;
        Browser = new BrowserSession(host.CreateDefaultClient(_base, new RedirectHandler(), new CookieContainerHandler(_cookies)));
    }

    public BrowserSession Browser { get; }

    public string SessionCookie() => _cookies.GetCookies(_base)["pfnstudio.session"]?.Value
        ?? throw new InvalidOperationException("No session cookie.");

    public Task<BrowserSession.Page> SignInAsync(string email, string password) => Browser.SignInAsync(email, password);
}
