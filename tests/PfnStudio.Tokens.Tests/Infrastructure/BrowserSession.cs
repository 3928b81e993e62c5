using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>
/// Drives the Razor pages over HTTP as a browser without JavaScript would: keeps cookies, reads forms
/// (with their antiforgery field) and submits them.
/// </summary>
internal sealed class BrowserSession(HttpClient client) : IDisposable
{
    private static readonly HtmlParser Parser = new();

    public HttpClient Client { get; } = client;

    public async Task<Page> GetAsync(string url)
    {
        using var response = await Client.GetAsync(url);
        return await Page.ReadAsync(response);
    }

    /// <summary>Submits the form matched by <paramref name="formSelector"/> with its own fields, overridden by <paramref name="values"/>.</summary>
    public async Task<Page> SubmitAsync(Page page, string formSelector, IReadOnlyDictionary<string, string>? values = null)
    {
        var form = page.Document.QuerySelector(formSelector) as IHtmlFormElement
            ?? throw new InvalidOperationException($"No form matches '{formSelector}' on {page.Url}.");
        var fields = FormFields(form);
        foreach (var (name, value) in values ?? new Dictionary<string, string>())
        {
            fields.RemoveAll(f => f.Key == name);
            fields.Add(new(name, value));
        }

        return await PostAsync(page, form, fields);
    }

    /// <summary>Posts <paramref name="fields"/> exactly (duplicates and omissions allowed) to the form's action.</summary>
    public async Task<Page> PostAsync(Page page, IHtmlFormElement form, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var action = new Uri(page.Url, form.GetAttribute("action") ?? page.Url.PathAndQuery);
        using var content = new FormUrlEncodedContent(fields);
        using var response = await Client.PostAsync(action, content);
        return await Page.ReadAsync(response);
    }

    public static List<KeyValuePair<string, string>> FormFields(IHtmlFormElement form) =>
        form.Elements.OfType<IHtmlInputElement>()
            .Where(i => !string.IsNullOrEmpty(i.Name) && (i.Type is not ("checkbox" or "radio") || i.IsChecked))
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value))
            .ToList();

    public void Dispose() => Client.Dispose();

    /// <summary>A response as a parsed page.</summary>
    public sealed record Page(HttpStatusCode Status, Uri Url, IHtmlDocument Document, string Html, HttpResponseMessage Response)
    {
        public static async Task<Page> ReadAsync(HttpResponseMessage response)
        {
            var html = await response.Content.ReadAsStringAsync();
            var url = response.RequestMessage!.RequestUri!;
            return new Page(response.StatusCode, url, Parser.ParseDocument(html), html, response);
        }

        public string Text(string selector) => Document.QuerySelector(selector)?.TextContent.Trim() ?? string.Empty;

        public IReadOnlyList<string> Texts(string selector) =>
            Document.QuerySelectorAll(selector).Select(e => e.TextContent.Trim()).ToList();
    }
}
