using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Organizations;

namespace PfnStudio.Tokens.Operator;

/// <summary><c>projects create | list</c>.</summary>
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

        var inOrg = new Option<string>("--org") { Description = "Only the projects of this organization." };
        var list = new Command("list", "List projects: slug, organization, created.") { inOrg };
        list.SetAction((parse, ct) => console.InScopeAsync(async s =>
        {
            var org = parse.GetValue(inOrg);
            var query = s.GetRequiredService<TokensDbContext>().Projects.AsNoTracking();
            if (org is not null)
            {
                query = query.Where(p => p.Organization!.Slug == org);
            }

            var projects = await query.OrderBy(p => p.Slug)
                .Select(p => new { p.Slug, Organization = p.Organization!.Slug, p.CreatedAt })
                .ToListAsync(ct);
            return await console.WriteTableAsync(
                ["PROJECT", "ORGANIZATION", "CREATED (UTC)"],
                projects.ConvertAll(p => new[] { p.Slug, p.Organization, OperatorConsole.Instant(p.CreatedAt) }),
                org is null ? "No projects yet." : $"No projects in \"{org}\".");
        }));

        return new Command("projects", "Projects.") { create, list };
    }
}
