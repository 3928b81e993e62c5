using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Organizations;

namespace PfnStudio.Tokens.Operator;

/// <summary><c>orgs create | list | add-member | remove-member | set-role</c>.</summary>
internal static class OrganizationsCommands
{
    private static readonly string[] Roles = ["member", "admin", "owner"];

    public static Command Create(OperatorConsole console)
    {
        var orgSlug = new Argument<string>("SLUG") { Description = "The organization's slug." };
        var owner = new Option<string>("--owner") { Description = "E-mail address of the first owner.", Required = true };
        var create = new Command("create", "Create an organization.") { orgSlug, owner };
        create.SetAction((parse, ct) => console.InScopeAsync(async s =>
        {
            var orgs = s.GetRequiredService<OrganizationService>();
            var ownerId = await orgs.FindUserIdByEmailAsync(parse.GetValue(owner), ct);
            return ownerId is null
                ? await console.NoAccountAsync(parse.GetValue(owner))
                : await console.ReportAsync(await orgs.CreateOrganizationAsync(parse.GetValue(orgSlug), null, ownerId, ct));
        }));

        var memberEmail = new Argument<string>("EMAIL") { Description = "The member's e-mail address." };
        var role = new Option<string>("--role") { Description = "member, admin or owner.", DefaultValueFactory = _ => "member" };
        role.AcceptOnlyFromAmong(Roles);
        var addMember = new Command("add-member", "Add an account to an organization.") { orgSlug, memberEmail, role };
        addMember.SetAction((parse, ct) => console.InScopeAsync(async s =>
        {
            if (!OrganizationRules.TryParseRole(parse.GetValue(role), out var parsedRole))
            {
                return await console.FailAsync("error: --role must be member, admin or owner.");
            }

            var result = await s.GetRequiredService<MembershipService>()
                .AddMemberAsync(parse.GetValue(orgSlug)!, actingUserId: null, parse.GetValue(memberEmail), parsedRole, ct);
            return await console.ReportAsync(result);
        }));

        var removeMember = new Command("remove-member", "Remove an account from an organization and revoke its tokens that reach it (full access, and fine-grained for this organization).") { orgSlug, memberEmail };
        removeMember.SetAction((parse, ct) => console.InScopeAsync(async s =>
        {
            var userId = await s.GetRequiredService<OrganizationService>().FindUserIdByEmailAsync(parse.GetValue(memberEmail), ct);
            return userId is null
                ? await console.NoAccountAsync(parse.GetValue(memberEmail))
                : await console.ReportAsync(await s.GetRequiredService<MembershipService>().RemoveMemberAsync(parse.GetValue(orgSlug)!, actingUserId: null, userId, ct));
        }));

        var list = new Command("list", "List organizations: slug, name, owners, accepted members, projects.");
        list.SetAction((parse, ct) => console.InScopeAsync(async s =>
        {
            var orgs = await s.GetRequiredService<TokensDbContext>().Organizations.AsNoTracking()
                .OrderBy(o => o.Slug)
                .Select(o => new
                {
                    o.Slug,
                    o.Name,
                    Owners = o.Memberships.Where(m => m.AcceptedAt != null && m.Role == OrganizationRole.Owner).Select(m => m.User!.Email).ToList(),
                    Members = o.Memberships.Count(m => m.AcceptedAt != null),
                    Projects = o.Projects.Count,
                })
                .ToListAsync(ct);
            return await console.WriteTableAsync(
                ["ORGANIZATION", "NAME", "OWNERS", "MEMBERS", "PROJECTS"],
                orgs.ConvertAll(o => new[]
                {
                    o.Slug,
                    o.Name,
                    o.Owners.Count == 0 ? "(none)" : string.Join(", ", o.Owners.Order(StringComparer.Ordinal)),
                    o.Members.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    o.Projects.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }),
                "No organizations yet.");
        }));

        // The operator's repair: it can make anyone who accepted an owner, e.g. of an organization left without one.
        var newRole = new Argument<string>("ROLE") { Description = "member, admin or owner." };
        newRole.AcceptOnlyFromAmong(Roles);
        var setRole = new Command("set-role", "Change an accepted member's role; refused when it would leave the organization without an owner.")
        {
            orgSlug, memberEmail, newRole,
        };
        setRole.SetAction((parse, ct) => console.InScopeAsync(async s =>
        {
            if (!OrganizationRules.TryParseRole(parse.GetValue(newRole), out var parsedRole))
            {
                return await console.FailAsync("error: ROLE must be member, admin or owner.");
            }

            var userId = await s.GetRequiredService<OrganizationService>().FindUserIdByEmailAsync(parse.GetValue(memberEmail), ct);
            return userId is null
                ? await console.NoAccountAsync(parse.GetValue(memberEmail))
                : await console.ReportAsync(await s.GetRequiredService<MembershipService>()
                    .ChangeRoleAsync(parse.GetValue(orgSlug)!, actingUserId: null, userId, parsedRole, ct));
        }));

        return new Command("orgs", "Organizations and their members.") { create, list, addMember, removeMember, setRole };
    }
}
