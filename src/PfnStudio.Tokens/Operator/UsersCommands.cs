using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Organizations;

namespace PfnStudio.Tokens.Operator;

/// <summary><c>users create | list</c>.</summary>
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

        var list = new Command("list", "List every account: e-mail, confirmed, locked out, organizations, active tokens.");
        list.SetAction((parse, ct) => console.InScopeAsync(async s =>
        {
            var db = s.GetRequiredService<TokensDbContext>();
            var now = s.GetRequiredService<TimeProvider>().GetUtcNow();
            var users = await db.Users.AsNoTracking()
                .OrderBy(u => u.Email)
                .Select(u => new
                {
                    u.Email,
                    u.EmailConfirmed,
                    u.LockoutEnd,
                    Organizations = db.Memberships.Count(m => m.UserId == u.Id && m.AcceptedAt != null),
                    Tokens = db.PersonalAccessTokens.Where(t => t.UserId == u.Id && t.RevokedAt == null).Select(t => t.ExpiresAt).ToList(),
                })
                .ToListAsync(ct);

            // Expiry is compared here, not in SQL: SQLite cannot compare DateTimeOffset columns.
            return await console.WriteTableAsync(
                ["EMAIL", "CONFIRMED", "LOCKED OUT", "ORGS", "ACTIVE TOKENS"],
                users.ConvertAll(u => new[]
                {
                    u.Email ?? "",
                    u.EmailConfirmed ? "yes" : "no",
                    u.LockoutEnd is { } end && end > now ? $"until {OperatorConsole.Instant(end)}" : "no",
                    u.Organizations.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    u.Tokens.Count(e => e is null || now < e).ToString(System.Globalization.CultureInfo.InvariantCulture),
                }),
                "No accounts yet.");
        }));

        return new Command("users", "Accounts.") { create, list };
    }
}
