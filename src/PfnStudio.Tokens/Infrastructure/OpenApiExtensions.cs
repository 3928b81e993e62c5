using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PfnStudio.Tokens.Infrastructure;

/// <summary>The API's OpenAPI document at <c>/openapi/v1.json</c>, with the bearer security scheme.</summary>
internal static class OpenApiExtensions
{
    /// <summary>The security scheme's name in the document.</summary>
    public const string SecuritySchemeName = "bearer";

    /// <summary>
    /// Adds the <c>v1</c> document: a <c>bearer</c> HTTP security scheme (a personal access token,
    /// <c>pfnstudio_pat_…</c>) required by every operation on the authorization policy named
    /// <paramref name="bearerPolicy"/> (the composition root passes the PAT scheme's policy).
    /// </summary>
    public static IServiceCollection AddApiDocument(this IServiceCollection services, string bearerPolicy)
    {
        // The API reads numbers only as JSON numbers; the web defaults' "numbers as strings" would make the document
        // declare `type: [number, string]` and promise what the API refuses.
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict);
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "PFN Studio API";

                // The generator lists the request's own scheme and Host as the server: an echo of a request header.
                // Without a server entry, clients resolve paths against the document's own address (OpenAPI 3.1 §4.8.1).
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "pfnstudio_pat_<32 base62 characters>",
                    Description = "A personal access token from the avatar menu → API tokens, sent as Authorization: Bearer <token>.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var secured = context.Description.ActionDescriptor.EndpointMetadata
                    .OfType<IAuthorizeData>()
                    .Any(a => a.Policy == bearerPolicy);
                if (secured)
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = [],
                    });
                    operation.Responses ??= new OpenApiResponses();
                    operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No, unknown, revoked or expired token (WWW-Authenticate: Bearer)." });
                }

                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>
    /// Describes a request body that the handler reads itself. (<c>Accepts</c> metadata would also make routing
    /// answer a bare 415 for other content types, before the handler could say what it expects.)
    /// </summary>
    /// <param name="contentType">The documented media type.</param>
    /// <param name="description">What to send.</param>
    /// <param name="binaryFile">A multipart body with one binary field <c>file</c>, else a plain string body.</param>
    public static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> RequestBody(
        string contentType, string description, bool binaryFile) => (operation, _, _) =>
    {
        var schema = binaryFile
            ? new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "file" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                },
            }
            : new OpenApiSchema { Type = JsonSchemaType.String };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { [contentType] = new OpenApiMediaType { Schema = schema } },
        };
        return Task.CompletedTask;
    };

    /// <summary>Maps the document at <c>/openapi/v1.json</c> (anonymous: it describes, it grants nothing).</summary>
    public static IEndpointRouteBuilder MapApiDocument(this IEndpointRouteBuilder routes)
    {
        routes.MapOpenApi().AllowAnonymous();
        return routes;
    }
}
