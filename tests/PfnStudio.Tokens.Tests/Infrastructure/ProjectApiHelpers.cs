using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Organizations;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>Steps the project API tests share: members with tokens, pushes, predicts, problem bodies.</summary>
internal static class ProjectApiHelpers
{
    public const string DemoProject = "pfnstudio-demo";

    /// <summary>Runs <paramref name="action"/> with the host's organization service in a fresh scope.</summary>
    public static Task<T> WithOrganizationsAsync<T>(this TokensApplication app, Func<OrganizationService, Task<T>> action) =>
        app.WithServiceAsync(action);

    /// <summary>Runs <paramref name="action"/> with the host's membership service in a fresh scope.</summary>
    public static Task<T> WithMembershipsAsync<T>(this TokensApplication app, Func<MembershipService, Task<T>> action) =>
        app.WithServiceAsync(action);

    /// <summary>Runs <paramref name="action"/> with the host's project service in a fresh scope.</summary>
    public static Task<T> WithProjectsAsync<T>(this TokensApplication app, Func<ProjectService, Task<T>> action) =>
        app.WithServiceAsync(action);

    public static async Task<T> WithServiceAsync<TService, T>(this TokensApplication app, Func<TService, Task<T>> action)
        where TService : notnull
    {
        using var scope = app.Services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>Creates an account in <paramref name="organization"/> (created with it as owner when missing) and issues it a token.</summary>
    public static async Task<(ApplicationUser User, HttpClient Api)> CreateMemberWithTokenAsync(
        this TokensApplication app, string email, string organization = "pfnstudio", OrganizationRole role = OrganizationRole.Member, int? expiresInDays = null)
    {
        var user = await app.CreateUserAsync(email);
        var created = await app.WithOrganizationsAsync(orgs => orgs.CreateOrganizationAsync(organization, null, user.Id));
        var result = created.Succeeded
            ? created
            : await app.WithMembershipsAsync(members => members.AddMemberAsync(organization, actingUserId: null, email, role));
        Assert.True(result.Succeeded, result.Message);
        var token = await app.IssueTokenAsync(user.Id, "automation", expiresInDays);
        return (user, app.CreateClientWithToken(token));
    }

    public static MultipartFormDataContent PriorFile(string fileName, string content) => PriorFile(fileName, Encoding.UTF8.GetBytes(content));

    public static MultipartFormDataContent PriorFile(string fileName, byte[] content)
    {
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/x-python");
        return new MultipartFormDataContent { { file, "file", fileName } };
    }

    public static async Task<HttpResponseMessage> PushPriorAsync(this HttpClient api, string project, string fileName, string content)
    {
        using var body = PriorFile(fileName, content);
        return await api.PostAsync($"/api/v1/projects/{project}/priors", body);
    }

    public static async Task<HttpResponseMessage> PushModelAsync(this HttpClient api, string project, string yaml)
    {
        using var body = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        return await api.PostAsync($"/api/v1/projects/{project}/models", body);
    }

    public static async Task<HttpResponseMessage> PredictAsync(this HttpClient api, string project, object body)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        return await api.PostAsync($"/projects/{project}/runs/v0_1/predict", content);
    }

    public static async Task<HttpResponseMessage> PredictRawAsync(this HttpClient api, string project, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await api.PostAsync($"/projects/{project}/runs/v0_1/predict", content);
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts a 400 problem body whose errors name <paramref name="field"/>; returns its message.</summary>
    public static async Task<string> AssertInvalidAsync(this HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(HttpStatusCode.BadRequest == response.StatusCode, $"Expected 400, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        var errors = document.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"Expected an error for '{field}': {text}");
        return messages[0].GetString()!;
    }

    public static double[] Doubles(this JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();
}
