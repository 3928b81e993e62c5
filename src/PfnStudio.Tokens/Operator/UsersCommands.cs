using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Accounts;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Organizations;

namespace PfnStudio.Tokens.Operator;

/// <summary><c>users create | list | disable | enable | delete</c>.</summary>
internal static class UsersCommands
{
    public static Command Create(OperatorConsole console)
    {
        var email = new Argument<string>("EMAIL") { Description = "The account's e-mail address." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input." };
        var create = new Command("create", "Create an account (it joins the default organization like a sign-up).") { email, passwordStdin };
        create.SetAction((parse, ct) => console.InScopeAsync(async s =>
        {
            string? password = null;
            if (parse.GetValue(passwordStdin))
            {
                password = await console.In.ReadLineAsync(ct);
                if (string.IsNullOrEmpty(password))
                {
                    return await console.FailAsync("error: --password-stdin was given but standard input had no password.");
                }
            }

            var address = parse.GetValue(email)!.Trim();
            var users = s.GetRequiredService<UserManager<ApplicationUser>>();
            var user = new ApplicationUser { UserName = address, Email = address, EmailConfirmed = true };
            var created = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                return await console.FailAsync($"error: {created.Errors.First().Description}");
            }

            var role = await s.GetRequiredService<OrganizationService>().JoinDefaultOnSignUpAsync(user.Id, ct);
            var joined = role is { } r ? $"; {OrganizationRules.RoleName(r)} of \"{OrganizationOptions.DefaultOrganizationSlug}\"" : string.Empty;
            await console.Out.WriteLineAsync($"Created user {address}{joined}.");
            return OperatorCommandLine.Done;
        }));

        var list = new Command("list", "List every account: e-mail, confirmed, locked out, disabled, organizations, active tokens.");
        list.SetAction((parse, ct) => console.InScopeAsync(async s =>
        {
            var db = s.GetRequiredService<TokensDbContext>();
            var now = s.GetRequiredService<TimeProvider>().GetUtcNow();
            // A deleted account is no account: its anonymised row stays only for its audit rows and runs.
            var users = await db.Users.AsNoTracking()
                .Where(u => u.DeletedAt == null)
                .OrderBy(u => u.Email)
                .Select(u => new
                {
                    u.Email,
                    u.EmailConfirmed,
                    u.LockoutEnd,
                    u.DisabledAt,
                    Organizations = db.Memberships.Count(m => m.UserId == u.Id && m.AcceptedAt != null),
                    Tokens = db.PersonalAccessTokens.Where(t => t.UserId == u.Id && t.RevokedAt == null).Select(t => t.ExpiresAt).ToList(),
                })
                .ToListAsync(ct);

            // Expiry is compared here, not in SQL: SQLite cannot compare DateTimeOffset columns.
            return await console.WriteTableAsync(
                ["EMAIL", "CONFIRMED", "LOCKED OUT", "DISABLED", "ORGS", "ACTIVE TOKENS"],
                users.ConvertAll(u => new[]
                {
                    u.Email ?? "",
                    u.EmailConfirmed ? "yes" : "no",
                    u.LockoutEnd is { } end && end > now ? $"until {OperatorConsole.Instant(end)}" : "no",
                    u.DisabledAt is { } disabled ? $"since {OperatorConsole.Instant(disabled)}" : "no",
                    u.Organizations.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    u.Tokens.Count(e => e is null || now < e).ToString(System.Globalization.CultureInfo.InvariantCulture),
                }),
                "No accounts yet.");
        }));

        var disableEmail = new Argument<string>("EMAIL") { Description = "The account's e-mail address." };
        var disable = OperatorHelp.WithExamples(
            new Command(
                "disable",
                "Disable an account: its sessions end, sign-in says it is disabled, and its tokens answer 401 on their next "
                + "request on every host. Its tokens are not revoked: enable it and they work again.")
            {
                disableEmail,
            },
            "users disable ci@example.com");
        disable.SetAction((parse, ct) => console.InScopeAsync(async s =>
            await ReportAsync(console, await s.GetRequiredService<AccountAdministration>().DisableAsync(parse.GetValue(disableEmail), ct))));

        var enableEmail = new Argument<string>("EMAIL") { Description = "The account's e-mail address." };
        var enable = new Command("enable", "Enable a disabled account: it can sign in again and its tokens work again.") { enableEmail };
        enable.SetAction((parse, ct) => console.InScopeAsync(async s =>
            await ReportAsync(console, await s.GetRequiredService<AccountAdministration>().EnableAsync(parse.GetValue(enableEmail), ct))));

        var deleteEmail = new Argument<string>("EMAIL") { Description = "The account's e-mail address." };
        var yes = new Option<bool>("--yes") { Description = "Delete it: without --yes, the command only says what would be deleted." };
        var delete = OperatorHelp.WithExamples(
            new Command(
                "delete",
                "Delete an account: revokes every token, ends every session and removes it from its organizations, in one "
                + "transaction; its audit rows and runs stay, shown as \"deleted user\". Refused while it is the last owner of an "
                + "organization with other members.")
            {
                deleteEmail, yes,
            },
            "users delete ci@example.com --yes");
        delete.SetAction((parse, ct) => console.InScopeAsync(async s =>
        {
            var accounts = s.GetRequiredService<AccountAdministration>();
            if (parse.GetValue(yes))
            {
                return await ReportAsync(console, await accounts.DeleteAsync(parse.GetValue(deleteEmail), ct));
            }

            // Without --yes nothing changes: the refusal says what the deletion would do, or why it would be refused.
            var preview = await accounts.DescribeDeletionAsync(parse.GetValue(deleteEmail), ct);
            return await console.FailAsync(preview.Succeeded ? $"error: not deleted without --yes. {preview.Message}" : $"error: {preview.Message}");
        }));

        return new Command("users", "Accounts.") { create, list, disable, enable, delete };
    }

    private static async Task<int> ReportAsync(OperatorConsole console, AccountChangeResult result)
    {
        if (!result.Succeeded)
        {
            return await console.FailAsync($"error: {result.Message}");
        }

        await console.Out.WriteLineAsync(result.Message);
        return OperatorCommandLine.Done;
    }
}
