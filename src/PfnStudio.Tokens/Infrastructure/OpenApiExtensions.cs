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
                document.Info.Description = "Personal access tokens, projects (priors, model specs, runs) and the Predict API of PFN Studio. "
                    + "Every operation takes a personal access token as Authorization: Bearer pfnstudio_pat_….";
                document.Info.License = new OpenApiLicense { Name = "Proprietary: PFN Studio", Identifier = "LicenseRef-PFN-Studio-Proprietary" };

                // The generator lists the request's own scheme and Host as the server, with a trailing slash: an
                // echo of a request header, and "//api/…" in generated clients. "/" is relative: clients resolve it
                // against the document's own address (OpenAPI 3.1 §4.8.1), and linters ask for one server entry.
                document.Servers = [new OpenApiServer { Url = "/", Description = "This host: the address this document was fetched from." }];

                document.Tags = new HashSet<OpenApiTag>(
                    document.Tags?.Select(t => new OpenApiTag { Name = t.Name, Description = TagDescription(t.Name) }) ?? []);
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "pfnstudio_pat_<32 base62 characters><6 base62 checksum characters> (legacy tokens: no checksum)",
                    Description = "A personal access token from the avatar menu → API tokens, sent as Authorization: Bearer <token>. "
                        + "A full-access token (scope `pat`) may call every operation its owner may; a fine-grained token is limited to one "
                        + "organization, all or some of its projects, and the permissions it was issued with: "
                        + string.Join(" ", PersonalAccessTokens.PersonalAccessTokenScopes.Permissions.Select(p => $"`{p}`: {PersonalAccessTokens.PersonalAccessTokenScopes.Describe(p)}"))
                        + " Each operation lists the permission it needs as its security requirement's role.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                // The bearer policy, or one of its per-permission policies ("PersonalAccessToken:push"), whose
                // permission is listed as the requirement's role (OpenAPI 3.1 §4.8.30: non-OAuth schemes may list roles).
                var policies = context.Description.ActionDescriptor.EndpointMetadata
                    .OfType<IAuthorizeData>()
                    .Select(a => a.Policy)
                    .Where(p => p == bearerPolicy || p?.StartsWith(bearerPolicy + ":", StringComparison.Ordinal) == true)
                    .ToList();
                if (policies.Count > 0)
                {
                    var permissions = policies.Where(p => p!.Length > bearerPolicy.Length).Select(p => p![(bearerPolicy.Length + 1)..]).Distinct().ToList();
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = permissions,
                    });
                    operation.Responses ??= new OpenApiResponses();
                    if (permissions.Count > 0)
                    {
                        operation.Description = (operation.Description is { Length: > 0 } d ? d + "\n\n" : string.Empty)
                            + $"Needs the `{string.Join("`, `", permissions)}` permission (or a full-access token).";
                        operation.Responses.TryAdd("403", new OpenApiResponse { Description = $"The token lacks the {string.Join(", ", permissions)} permission (WWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"{string.Join(" ", permissions)}\"), or is limited to other projects." });
                    }

                    // What the bearer scheme and the host answer before any handler runs (RFC 6750 §3.1).
                    operation.Responses.TryAdd("400", new OpenApiResponse { Description = "A malformed Authorization header or request (WWW-Authenticate: Bearer error=\"invalid_request\")." });
                    operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No, unknown, revoked or expired token (WWW-Authenticate: Bearer)." });
                    operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Too many failed token verifications from this address, or too many calls at once; see Retry-After." });
                    operation.Responses.TryAdd("503", new OpenApiResponse { Description = "The token store is unavailable or busy; nothing was changed. See Retry-After." });
                }

                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>
    /// Declares query parameter <paramref name="name"/> as an integer from <paramref name="minimum"/> to
    /// <paramref name="maximum"/> with a default, for a parameter the handler binds as text to name it in its own 400.
    /// </summary>
    public static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> IntegerQueryParameter(
        string name, int minimum, int maximum, int defaultValue) => (operation, _, _) =>
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.Name == name && parameter.In == ParameterLocation.Query)
            {
                parameter.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer,
                    Format = "int32",
                    Minimum = minimum.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Maximum = maximum.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Default = System.Text.Json.Nodes.JsonValue.Create(defaultValue),
                };
            }
        }

        return Task.CompletedTask;
    };

    private static string TagDescription(string? tag) => tag switch
    {
        "Account" => "Who the presented token belongs to.",
        "Tokens" => "The caller's own personal access tokens (list, revoke, rotate the presented token); for secret scanners, the report of tokens found in public (docs/secret-scanning.md).",
        "Projects" => "Projects visible to the token's owner, and their priors, model specs and runs.",
        "Predict" => "Gaussian-process predictions under a project's model specs; each call is recorded as a run.",
        _ => $"{tag} operations.",
    };

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

    /// <summary>
    /// Describes an optional JSON object body with the one nullable integer member <paramref name="member"/>, for a
    /// handler that reads the body itself (so that it can answer every bad body with its own problem).
    /// </summary>
    public static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> JsonRequestBody(
        string description, string member) => (operation, _, _) =>
    {
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = false,
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object | JsonSchemaType.Null,
                        AdditionalPropertiesAllowed = false,
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            [member] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32", Minimum = "1", Maximum = "3650" },
                        },
                    },
                },
            },
        };
        return Task.CompletedTask;
    };

    /// <summary>Declares an optional request header <paramref name="name"/> (a string) read by the handler itself.</summary>
    public static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> HeaderParameter(
        string name, string description) => (operation, _, _) =>
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = name,
            In = ParameterLocation.Header,
            Required = false,
            Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255 },
        });
        return Task.CompletedTask;
    };

    /// <summary>Maps the document at <c>/openapi/v1.json</c> (anonymous: it describes, it grants nothing).</summary>
    public static IEndpointRouteBuilder MapApiDocument(this IEndpointRouteBuilder routes)
    {
        routes.MapOpenApi().AllowAnonymous();
        return routes;
    }
}
