using System.Net;
using System.Text;
using AngleSharp.Html.Dom;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Tests.Infrastructure;
using static PfnStudio.Tokens.Tests.Infrastructure.ProjectApiHelpers;

namespace PfnStudio.Tokens.Tests.Integration.Pages;

/// <summary>
/// What a scanner posts to every field (issue 16): text for booleans and numbers, arrays for scalars, huge, empty
/// and control-character values. Pages answer with the form again (or another 4xx), the API with a 4xx problem;
/// nothing answers 5xx.
/// </summary>
public sealed class TypeConfusedInputTests
{
    private static readonly string[] BadValues =
    [
        "notabool", "true,false", "-1", "0", "1e309", "99999999999999999999", "NaN", "", " ",
        new string('x', 5_000), "\0\u0001\u001b]0;title\u0007\r\n", "\u202Eexe.gnp", "\uD800", "<script>x</script>", "../../etc/passwd", "%00",
    ];

    [Fact]
    public async Task ASignInWhoseRememberMeIsNotABooleanShowsTheFormAgainWithAMessage()
    {
        await using var app = new TokensApplication();
        using var browser = app.CreateBrowser();
        var page = await browser.GetAsync("/account/sign-in");

        var again = await browser.SubmitAsync(page, "main form", new Dictionary<string, string>
        {
            ["Input.Email"] = "nobody@example.com",
            ["Input.Password"] = "whatever it is",
            ["Input.RememberMe"] = "notabool",
        });

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.NotNull(again.Document.QuerySelector("main form input[name='Input.Email']"));
        Assert.Equal("The value 'notabool' is not valid for Remember me.", again.Text("[data-valmsg-for='Input.RememberMe']"));
    }

    [Fact]
    public async Task EveryFieldOfEveryPageFormTakesTypeConfusedValuesWithoutA5xx()
    {
        await using var app = new TokensApplication();
        using var owner = app.CreateBrowser();
        await owner.SignUpAsync("walker@example.com");
        await owner.IssueOnPageAsync("walk", "7");
        using var member = app.CreateBrowser();
        await member.SignUpAsync("member@example.com");
        await member.IssueOnPageAsync("member-ci");
        var inviter = await app.CreateUserAsync("inviter@example.com");
        Assert.True((await app.WithOrganizationsAsync(o => o.CreateOrganizationAsync("elsewhere", null, inviter.Id))).Succeeded);
        Assert.True((await app.WithMembershipsAsync(m => m.AddMemberAsync("elsewhere", null, "walker@example.com", OrganizationRole.Member))).Succeeded);
        await app.CreateUserAsync("pending@example.com");
        var members = await owner.GetAsync("/organizations/pfnstudio/members");
        await owner.SubmitAsync(members, "form.add-member", new Dictionary<string, string> { ["Input.Email"] = "pending@example.com", ["Input.Role"] = "member" });

        var failures = new List<string>();
        using var anonymous = app.CreateBrowser();
        foreach (var path in new[] { "/account/sign-in", "/account/sign-up" })
        {
            await WalkAsync(anonymous, path, failures);
        }

        foreach (var path in new[] { "/api-tokens", "/account", "/account/delete", "/organizations", "/organizations/pfnstudio/members" })
        {
            await WalkAsync(owner, path, failures);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task EveryApiParameterTakesTypeConfusedValuesWithoutA5xx()
    {
        await using var app = new TokensApplication();
        var (_, api) = await app.CreateMemberWithTokenAsync("api-walker@example.com");
        var failures = new List<string>();

        async Task CheckAsync(string what, Func<Task<HttpResponseMessage>> send)
        {
            using var response = await send();
            var status = (int)response.StatusCode;
            if (status >= 500 || (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json"))
            {
                failures.Add($"{what}: {status} {response.Content.Headers.ContentType} {await response.Content.ReadAsStringAsync()}");
            }
        }

        foreach (var value in BadValues.Select(Uri.EscapeDataString).Append("a&limit=1&limit=2"))
        {
            await CheckAsync($"runs ?limit={value}", () => api.GetAsync($"/api/v1/projects/{DemoProject}/runs?limit={value}"));
            await CheckAsync($"runs ?cursor={value}", () => api.GetAsync($"/api/v1/projects/{DemoProject}/runs?cursor={value}"));
            if (value.Length > 0 && !value.Contains("%00", StringComparison.Ordinal)) // the test server refuses a NUL in a path itself
            {
                await CheckAsync($"project {value}", () => api.GetAsync($"/api/v1/projects/{value}/models"));
            }
        }

        string[] confused = ["\"notanumber\"", "true", "null", "[]", "{}", "[[[]]]", "1e999", "\"\\u0000\"", "[\"a\", 1]", $"\"{new string('m', 5_000)}\""];
        foreach (var value in confused)
        {
            foreach (var body in new[]
            {
                $"{{\"model\": {value}, \"context\": {{\"x\": [[0]], \"y\": [0]}}, \"query\": {{\"x\": [[1]]}}}}",
                $"{{\"context\": {value}, \"query\": {{\"x\": [[1]]}}}}",
                $"{{\"context\": {{\"x\": {value}, \"y\": [0]}}, \"query\": {{\"x\": [[1]]}}}}",
                $"{{\"context\": {{\"x\": [[0]], \"y\": {value}}}, \"query\": {{\"x\": [[1]]}}}}",
                $"{{\"context\": {{\"x\": [[0]], \"y\": [0]}}, \"query\": {value}}}",
                $"{{\"context\": {{\"x\": [{value}], \"y\": [0]}}, \"query\": {{\"x\": [[{value}]]}}}}",
                value,
            })
            {
                await CheckAsync($"predict {body[..Math.Min(body.Length, 120)]}", () => api.PredictRawAsync(DemoProject, body));
            }
        }

        foreach (var contentType in new[] { "application/json", "text/plain", "multipart/form-data", "multipart/form-data; boundary=", "application/x-www-form-urlencoded", "application/yaml; charset=latin-9" })
        {
            foreach (var route in new[] { "priors", "models" })
            {
                await CheckAsync($"{route} as {contentType}", () =>
                {
                    var content = new ByteArrayContent(Encoding.UTF8.GetBytes("name=x&file=y"));
                    content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                    return api.PostAsync($"/api/v1/projects/{DemoProject}/{route}", content);
                });
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    // Posts every form on the page once per field and bad value (that field replaced, or sent twice), and once with
    // each field left out; collects every 5xx.
    private static async Task WalkAsync(BrowserSession browser, string path, List<string> failures)
    {
        var page = await browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var forms = page.Document.QuerySelectorAll("form[method='post']").OfType<IHtmlFormElement>()
            .Where(f => !(f.Action ?? "").Contains("SignOut", StringComparison.OrdinalIgnoreCase) && !f.ClassList.Contains("sign-out-everywhere"))
            .ToList();
        Assert.NotEmpty(forms);
        foreach (var form in forms)
        {
            var fields = Fields(form);
            foreach (var name in fields.Select(f => f.Key).Where(n => n != "__RequestVerificationToken").Distinct())
            {
                var others = fields.Where(f => f.Key != name).ToList();
                var posts = BadValues.Select(v => others.Append(new(name, v)))
                    .Append(others.Append(new(name, "a")).Append(new(name, "b")))
                    .Append(others);
                foreach (var post in posts)
                {
                    var answer = await browser.PostAsync(page, form, post.ToList());
                    if ((int)answer.Status >= 500)
                    {
                        var value = post.LastOrDefault(f => f.Key == name).Value ?? "(left out)";
                        failures.Add($"{path} {form.ClassName ?? form.Action} {name}={value[..Math.Min(value.Length, 40)]}: {(int)answer.Status}");
                    }
                }
            }
        }
    }

    // Every named field, with plausible values where the form has none, so the bad value reaches the handler.
    private static List<KeyValuePair<string, string>> Fields(IHtmlFormElement form)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var element in form.Elements)
        {
            var (name, value) = element switch
            {
                IHtmlInputElement input => (input.Name, input.Type == "checkbox" ? "true" : input.Value),
                IHtmlSelectElement select => (select.Name, select.Value ?? (select.Options.Length > 0 ? select.Options[0].Value : null)),
                IHtmlTextAreaElement text => (text.Name, text.Value),
                _ => (null, null),
            };
            if (string.IsNullOrEmpty(name))
            {
                continue;
            }

            fields.Add(new(name, string.IsNullOrEmpty(value) ? Plausible(name) : value));
        }

        return fields;
    }

    private static string Plausible(string name) =>
        name.Contains("Email", StringComparison.OrdinalIgnoreCase) ? "nobody@example.com"
        : name.Contains("Password", StringComparison.OrdinalIgnoreCase) ? TokensApplication.Password
        : name.Contains("Days", StringComparison.OrdinalIgnoreCase) ? "7"
        : "walk-value";
}
