using System.CommandLine;
using PfnStudio.Tokens.Organizations;

namespace PfnStudio.Tokens.Operator;

/// <summary><c>projects create</c>.</summary>
internal static class ProjectsCommands
{
    public static Command Create(OperatorConsole console)
    {
        var projectSlug = new Argument<string>("SLUG") { Description = "The project's slug (unique in the installation)." };
        var org = new Option<string>("--org") { Description = "The organization's slug.", Required = true };
        var create = new Command("create", "Create a project in an organization.") { projectSlug, org };
        create.SetAction((parse, ct) => console.InScopeAsync(async s =>
            await console.ReportAsync(await s.GetRequiredService<ProjectService>()
                .CreateProjectAsync(parse.GetValue(org)!, actingUserId: null, parse.GetValue(projectSlug), ct))));

        return new Command("projects", "Projects.") { create };
    }
}
