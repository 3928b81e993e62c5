using System.CommandLine;

namespace PfnStudio.Cli.Commands;

/// <summary>The <c>--project</c> option and the API paths under a project.</summary>
internal static class ProjectOption
{
    /// <summary>A required <c>--project SLUG</c> option (<c>-p</c>).</summary>
    public static Option<string> Create() => new("--project", "-p")
    {
        Description = "Project slug, e.g. pfnstudio-demo.",
        HelpName = "slug",
        Required = true,
    };

    /// <summary><c>api/v1/projects/{project}/{rest}</c>, the slug escaped.</summary>
    public static string ApiPath(string project, string rest) => $"api/v1/projects/{Uri.EscapeDataString(project)}/{rest}";
}
