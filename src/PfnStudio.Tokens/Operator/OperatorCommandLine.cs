using System.CommandLine;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Organizations;
using PfnStudio.Tokens.PersonalAccessTokens;

// "Operator" is a keyword only in Visual Basic; this application is no library for other languages.
[assembly: System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716:Identifiers should not match keywords",
    Scope = "namespace", Target = "~N:PfnStudio.Tokens.Operator", Justification = "The host's operator command line; no VB consumers.")]

namespace PfnStudio.Tokens.Operator;

/// <summary>
/// The host binary's operator commands (<c>users</c>, <c>orgs</c>, <c>projects</c>, <c>tokens</c>), parsed with
/// System.CommandLine and run against the built host's services instead of serving: the same configuration
/// and database as the server. Exit codes: 0 done, 1 refused (unknown name, invalid value; nothing changed),
/// 2 bad arguments. Every refusal is one line on standard error. <c>tokens issue</c> writes the plaintext token
/// and nothing else to standard output.
/// </summary>
internal static class OperatorCommandLine
{
    /// <summary>Exit code of a command that was done.</summary>
    public const int Done = 0;

    /// <summary>Exit code of a command refused for its values (unknown user, invalid name…).</summary>
    public const int Refused = 1;

    /// <summary>Exit code of a command line that does not parse.</summary>
    public const int BadArguments = 2;

    private static readonly string[] Roles = ["member", "admin", "owner"];

    /// <summary>
    /// Whether <paramref name="args"/> name a command rather than host settings: the first argument is a word,
    /// not an option (<c>--urls …</c> and other settings start with a dash).
    /// </summary>
    public static bool IsCommand(IReadOnlyList<string> args) => args.Count > 0 && !args[0].StartsWith('-');

    // The process's real standard output, kept for the command's answer while Console.Out points at stderr.
    private static TextWriter? _commandOutput;

    /// <summary>
    /// When <paramref name="args"/> name a command, points <see cref="Console.Out"/> at standard error (so any
    /// console log sink, however configured, writes there) and keeps only warnings and errors: standard output
    /// then carries only the command's own answer.
    /// </summary>
    public static WebApplicationBuilder AddOperatorCommandLine(this WebApplicationBuilder builder, string[] args)
    {
        if (IsCommand(args))
        {
            _commandOutput = Console.Out;
            Console.SetOut(Console.Error);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Serilog:MinimumLevel:Default"] = "Warning",
            });
        }

        return builder;
    }

    /// <summary>Runs the command in <paramref name="args"/> with the console's streams; returns the exit code.</summary>
    public static async Task<int> RunOperatorCommandAsync(this WebApplication app, string[] args)
    {
        var stdout = _commandOutput ?? Console.Out;
        var code = await RunAsync(app.Services, args, Console.In, stdout, Console.Error, app.Lifetime.ApplicationStopping);
        await stdout.FlushAsync();
        return code;
    }

    /// <summary>Parses and runs one command against <paramref name="services"/>.</summary>
    /// <param name="services">The host's root services (a scope is created per command).</param>
    /// <param name="args">The command line, e.g. <c>tokens issue --user a@example.com --name ci</c>.</param>
    /// <param name="stdin">Where <c>--password-stdin</c> reads the password (first line).</param>
    /// <param name="stdout">The command's answer.</param>
    /// <param name="stderr">One line per refusal.</param>
    /// <param name="cancellationToken">Stops the command.</param>
    /// <returns><see cref="Done"/>, <see cref="Refused"/> or <see cref="BadArguments"/>.</returns>
    public static async Task<int> RunAsync(
        IServiceProvider services, string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var root = Build(services, stdin, stdout, stderr);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // An unknown word explains more than the "required command" error it causes; either way one line.
            var error = parsed.UnmatchedTokens.Count > 0
                ? $"Unrecognized command or argument '{parsed.UnmatchedTokens[0]}'."
                : parsed.Errors[0].Message;
            await stderr.WriteLineAsync(string.Join(' ', error.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)));
            return BadArguments;
        }

        try
        {
            return await parsed.InvokeAsync(
                new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false },
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await stderr.WriteLineAsync($"error: {ex.GetBaseException().Message}");
            return Refused;
        }
    }

    private static RootCommand Build(IServiceProvider services, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var email = new Argument<string>("EMAIL") { Description = "The account's e-mail address." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input." };
        var usersCreate = new Command("create", "Create an account (it joins the default organization like a sign-up).") { email, passwordStdin };
        usersCreate.SetAction((parse, ct) => InScopeAsync(services, async s =>
        {
            string? password = null;
            if (parse.GetValue(passwordStdin))
            {
                password = await stdin.ReadLineAsync(ct);
                if (string.IsNullOrEmpty(password))
                {
                    return await FailAsync(stderr, "error: --password-stdin was given but standard input had no password.");
                }
            }

            var address = parse.GetValue(email)!.Trim();
            var users = s.GetRequiredService<UserManager<ApplicationUser>>();
            var user = new ApplicationUser { UserName = address, Email = address, EmailConfirmed = true };
            var created = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                return await FailAsync(stderr, $"error: {created.Errors.First().Description}");
            }

            var role = await s.GetRequiredService<OrganizationService>().JoinDefaultOnSignUpAsync(user.Id, ct);
            var joined = role is { } r ? $"; {OrganizationService.RoleName(r)} of \"{OrganizationOptions.DefaultOrganizationSlug}\"" : string.Empty;
            await stdout.WriteLineAsync($"Created user {address}{joined}.");
            return Done;
        }));

        var orgSlug = new Argument<string>("SLUG") { Description = "The organization's slug." };
        var owner = new Option<string>("--owner") { Description = "E-mail address of the first owner.", Required = true };
        var orgsCreate = new Command("create", "Create an organization.") { orgSlug, owner };
        orgsCreate.SetAction((parse, ct) => InScopeAsync(services, async s =>
        {
            var orgs = s.GetRequiredService<OrganizationService>();
            var ownerId = await orgs.FindUserIdByEmailAsync(parse.GetValue(owner), ct);
            if (ownerId is null)
            {
                return await FailAsync(stderr, $"error: no account has the email address \"{parse.GetValue(owner)}\".");
            }

            return await ReportAsync(stdout, stderr, await orgs.CreateOrganizationAsync(parse.GetValue(orgSlug), null, ownerId, ct));
        }));

        var memberEmail = new Argument<string>("EMAIL") { Description = "The member's e-mail address." };
        var role = new Option<string>("--role") { Description = "member, admin or owner.", DefaultValueFactory = _ => "member" };
        role.AcceptOnlyFromAmong(Roles);
        var addMember = new Command("add-member", "Add an account to an organization.") { orgSlug, memberEmail, role };
        addMember.SetAction((parse, ct) => InScopeAsync(services, async s =>
        {
            if (!OrganizationService.TryParseRole(parse.GetValue(role), out var parsedRole))
            {
                return await FailAsync(stderr, "error: --role must be member, admin or owner.");
            }

            var result = await s.GetRequiredService<OrganizationService>()
                .AddMemberAsync(parse.GetValue(orgSlug)!, actingUserId: null, parse.GetValue(memberEmail), parsedRole, ct);
            return await ReportAsync(stdout, stderr, result);
        }));

        var removeMember = new Command("remove-member", "Remove an account from an organization and revoke all its tokens.") { orgSlug, memberEmail };
        removeMember.SetAction((parse, ct) => InScopeAsync(services, async s =>
        {
            var orgs = s.GetRequiredService<OrganizationService>();
            var userId = await orgs.FindUserIdByEmailAsync(parse.GetValue(memberEmail), ct);
            if (userId is null)
            {
                return await FailAsync(stderr, $"error: no account has the email address \"{parse.GetValue(memberEmail)}\".");
            }

            return await ReportAsync(stdout, stderr, await orgs.RemoveMemberAsync(parse.GetValue(orgSlug)!, actingUserId: null, userId, ct));
        }));

        var projectSlug = new Argument<string>("SLUG") { Description = "The project's slug (unique in the installation)." };
        var org = new Option<string>("--org") { Description = "The organization's slug.", Required = true };
        var projectsCreate = new Command("create", "Create a project in an organization.") { projectSlug, org };
        projectsCreate.SetAction((parse, ct) => InScopeAsync(services, async s =>
            await ReportAsync(stdout, stderr, await s.GetRequiredService<OrganizationService>()
                .CreateProjectAsync(parse.GetValue(org)!, actingUserId: null, parse.GetValue(projectSlug), ct))));

        var tokenUser = new Option<string>("--user") { Description = "The token owner's e-mail address.", Required = true };
        var tokenName = new Option<string>("--name") { Description = "The token's name.", Required = true };
        var expiresIn = new Option<string>("--expires-in") { Description = "Days until it expires (1–3650); omit for never." };
        var tokensIssue = new Command("issue", "Issue a personal access token; prints it once on standard output.") { tokenUser, tokenName, expiresIn };
        tokensIssue.SetAction((parse, ct) => InScopeAsync(services, async s =>
        {
            var userId = await s.GetRequiredService<OrganizationService>().FindUserIdByEmailAsync(parse.GetValue(tokenUser), ct);
            if (userId is null)
            {
                return await FailAsync(stderr, $"error: no account has the email address \"{parse.GetValue(tokenUser)}\".");
            }

            var result = await s.GetRequiredService<PersonalAccessTokenService>()
                .IssueAsync(userId, parse.GetValue(tokenName), parse.GetValue(expiresIn), issueRequestId: null, ct);
            if (!result.Succeeded)
            {
                return await FailAsync(stderr, $"error: {result.Errors.Values.First()}");
            }

            // The one place the plaintext appears: standard output, alone, for a script to capture.
            await stdout.WriteLineAsync(result.Plaintext);
            return Done;
        }));

        var tokensRevoke = new Command("revoke", "Revoke a user's active token by name.") { tokenUser, tokenName };
        tokensRevoke.SetAction((parse, ct) => InScopeAsync(services, async s =>
        {
            var userId = await s.GetRequiredService<OrganizationService>().FindUserIdByEmailAsync(parse.GetValue(tokenUser), ct);
            if (userId is null)
            {
                return await FailAsync(stderr, $"error: no account has the email address \"{parse.GetValue(tokenUser)}\".");
            }

            var tokens = s.GetRequiredService<PersonalAccessTokenService>();
            var name = parse.GetValue(tokenName)!.Trim();
            var token = (await tokens.ListAsync(userId, ct)).Active.FirstOrDefault(t => t.Name == name);
            if (token is null || await tokens.RevokeAsync(userId, token.Id, RevocationDetails.ByOperatorCommandLine, ct) is null)
            {
                return await FailAsync(stderr, $"error: {parse.GetValue(tokenUser)} has no active token named \"{name}\".");
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Revoked token \"{name}\" ({token.DisplayPrefix})."));
            return Done;
        }));

        return new RootCommand("PfnStudio.Tokens: serve (no command) or run an operator command against the configured database.")
        {
            new Command("users", "Accounts.") { usersCreate },
            new Command("orgs", "Organizations and their members.") { orgsCreate, addMember, removeMember },
            new Command("projects", "Projects.") { projectsCreate },
            new Command("tokens", "Personal access tokens.") { tokensIssue, tokensRevoke },
        };
    }

    private static async Task<int> InScopeAsync(IServiceProvider services, Func<IServiceProvider, Task<int>> action)
    {
        await using var scope = services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    private static async Task<int> ReportAsync(TextWriter stdout, TextWriter stderr, OrganizationResult result)
    {
        if (!result.Succeeded)
        {
            return await FailAsync(stderr, $"error: {result.Message}");
        }

        await stdout.WriteLineAsync(result.Message);
        return Done;
    }

    private static async Task<int> FailAsync(TextWriter stderr, string line)
    {
        await stderr.WriteLineAsync(line);
        return Refused;
    }
}
