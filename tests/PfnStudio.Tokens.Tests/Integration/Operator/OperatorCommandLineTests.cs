using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Tests.Infrastructure;
using PfnStudio.Tokens.Operator;
using static PfnStudio.Tokens.Tests.Infrastructure.ProjectApiHelpers;

namespace PfnStudio.Tokens.Tests.Integration.Operator;

public sealed class OperatorCommandLineTests
{
    private const string TokenPattern = "^pfnstudio_pat_[0-9A-Za-z]{38}$";

    [Fact]
    public async Task AnOperatorBootstrapsAnOrganizationProjectAndTokenThatWorksOnTheApi()
    {
        await using var app = new TokensApplication();
        _ = app.Server;

        var created = await RunAsync(app, ["users", "create", "ops@example.com", "--password-stdin"], stdin: "a long enough password\n");
        Assert.Equal((0, "Created user ops@example.com; owner of \"pfnstudio\".\n", ""), created);
        Assert.Equal((0, "Organization \"acme\" created.\n", ""), await RunAsync(app, ["orgs", "create", "acme", "--owner", "ops@example.com"]));
        Assert.Equal(0, (await RunAsync(app, ["users", "create", "ci@example.com"])).Code);
        Assert.Equal((0, "ci@example.com added to \"acme\" as admin.\n", ""),
            await RunAsync(app, ["orgs", "add-member", "acme", "ci@example.com", "--role", "admin"]));
        Assert.Equal((0, "Project \"acme-ml\" created in \"acme\".\n", ""), await RunAsync(app, ["projects", "create", "acme-ml", "--org", "acme"]));

        var (code, stdout, stderr) = await RunAsync(app, ["tokens", "issue", "--user", "ci@example.com", "--name", "pipeline", "--expires-in", "7"]);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stderr);
        var token = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(TokenPattern, token);

        using var api = app.CreateClientWithToken(token);
        using (var runs = await api.GetAsync("/api/v1/projects/acme-ml/runs"))
        {
            Assert.Equal(HttpStatusCode.OK, runs.StatusCode);
            Assert.Equal("2026-12-06T12:00:00Z", runs.Headers.GetValues("PfnStudio-Token-Expires").Single());
        }

        var role = await app.WithDbAsync(db => db.Memberships.Where(m => m.User!.Email == "ci@example.com" && m.Organization!.Slug == "acme").Select(m => m.Role).SingleAsync());
        Assert.Equal(OrganizationRole.Admin, role);
        Assert.True(await app.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "ops@example.com" && u.PasswordHash != null)));

        var revoked = await RunAsync(app, ["tokens", "revoke", "--user", "ci@example.com", "--name", "pipeline"]);
        Assert.Equal(0, revoked.Code);
        Assert.StartsWith("Revoked token \"pipeline\" (pfnstudio_pat_", revoked.Stdout, StringComparison.Ordinal);
        using var after = await api.GetAsync("/api/v1/projects/acme-ml/runs");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task IssueWithOrgProjectAndScopeStoresAFineGrainedTokenThatWorksOnlyWhereItMay()
    {
        await using var app = new TokensApplication();
        _ = app.Server;
        await RunAsync(app, ["users", "create", "ops@example.com"]);
        await RunAsync(app, ["users", "create", "ci@example.com"]);
        await RunAsync(app, ["orgs", "create", "acme", "--owner", "ops@example.com"]);
        await RunAsync(app, ["orgs", "add-member", "acme", "ci@example.com"]);
        await RunAsync(app, ["projects", "create", "gp-demo", "--org", "acme"]);
        await RunAsync(app, ["projects", "create", "gp-prod", "--org", "acme"]);

        var (code, stdout, stderr) = await RunAsync(app, ["tokens", "issue", "--user", "ci@example.com", "--name", "deploy", "--org", "acme", "--project", "gp-demo", "--scope", "push,read"]);

        Assert.Equal((0, ""), (code, stderr));
        var token = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(TokenPattern, token);
        var row = await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Name == "deploy")
            .Select(t => new { t.Scopes, t.OrganizationId, t.ProjectIds }).SingleAsync());
        var acme = await app.WithDbAsync(db => db.Organizations.Where(o => o.Slug == "acme").Select(o => o.Id).SingleAsync());
        var gpDemo = await app.WithDbAsync(db => db.Projects.Where(p => p.Slug == "gp-demo").Select(p => p.Id).SingleAsync());
        Assert.Equal(["read", "push"], row.Scopes);
        Assert.Equal(acme, row.OrganizationId);
        Assert.Equal([gpDemo], row.ProjectIds);

        using var api = app.CreateClientWithToken(token);
        using (var allowed = await api.GetAsync("/api/v1/projects/gp-demo/runs"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using (var predict = await api.PredictRawAsync("gp-demo", """{"context": {"x": [[0], [1]], "y": [1, -1]}, "query": {"x": [[0.5]]}}"""))
        {
            Assert.Equal(HttpStatusCode.Forbidden, predict.StatusCode);
            Assert.EndsWith(", scope=\"predict\"", predict.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using (var sibling = await api.GetAsync("/api/v1/projects/gp-prod/runs"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, sibling.StatusCode);
            Assert.Equal("This token is limited to other projects (acme / gp-demo); \"gp-prod\" is not one of them.",
                (await sibling.JsonAsync()).GetProperty("detail").GetString());
        }

        using (var defaultOrganization = await api.GetAsync("/api/v1/projects/pfnstudio-demo/runs"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, defaultOrganization.StatusCode);
        }

        // Repeated --scope and no --project: every project of the organization, permissions in their usual order.
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var all = await RunAsync(app, ["tokens", "issue", "--user", "ci@example.com", "--name", "reader", "--org", "acme", "--scope", "predict", "--scope", "read"]);
        Assert.Equal(0, all.Code);
        var allRow = await app.WithDbAsync(db => db.PersonalAccessTokens.Where(t => t.Name == "reader")
            .Select(t => new { t.Scopes, t.OrganizationId, t.ProjectIds }).SingleAsync());
        Assert.Equal(["read", "predict"], allRow.Scopes);
        Assert.Equal(acme, allRow.OrganizationId);
        Assert.Empty(allRow.ProjectIds);
        using var reader = app.CreateClientWithToken(all.Stdout.Trim());
        using (var prod = await reader.GetAsync("/api/v1/projects/gp-prod/runs"))
        {
            Assert.Equal(HttpStatusCode.OK, prod.StatusCode);
        }

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, (await RunAsync(app, ["tokens", "issue", "--user", "ci@example.com", "--name", "laptop"])).Code);
        var list = await RunAsync(app, ["tokens", "list", "--user", "ci@example.com"]);
        Assert.Equal(0, list.Code);
        Assert.Equal(
            ["laptop|pat (full access)", "reader|read, predict · acme (all projects)", "deploy|read, push · acme / gp-demo"],
            Lines(list.Stdout).Skip(1).Select(line => string.Join('|', Cells(line).Split('|')[0], Cells(line).Split('|')[2])));
    }

    [Fact]
    public async Task RemoveMemberRevokesTheirTokensAndTheirNextCallIs401()
    {
        await using var app = new TokensApplication();
        _ = app.Server;
        await RunAsync(app, ["users", "create", "ops@example.com"]);
        await RunAsync(app, ["users", "create", "leaver@example.com"]);
        var (_, token, _) = await RunAsync(app, ["tokens", "issue", "--user", "leaver@example.com", "--name", "laptop"]);
        using var api = app.CreateClientWithToken(token.Trim());
        using (var before = await api.GetAsync("/api/v1/projects/pfnstudio-demo/runs"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var removed = await RunAsync(app, ["orgs", "remove-member", "pfnstudio", "leaver@example.com"]);

        Assert.Equal((0, "leaver@example.com removed from \"pfnstudio\"; 1 token revoked.\n", ""), removed);
        using var after = await api.GetAsync("/api/v1/projects/pfnstudio-demo/runs");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Theory]
    [InlineData("frobnicate", 2, "Unrecognized command or argument 'frobnicate'. Run with --help for the commands.")]
    [InlineData("users create", 2, "Required argument missing for command: 'create'.")]
    [InlineData("users create not-an-email", 1, "error: Email 'not-an-email' is invalid.")]
    [InlineData("users create ops@example.com", 1, "error: Username 'ops@example.com' is already taken.")]
    [InlineData("users create new@example.com --password-stdin", 1, "error: --password-stdin was given but standard input had no password.")]
    [InlineData("orgs create acme --owner nobody@example.com", 1, "error: no account has the email address \"nobody@example.com\".")]
    [InlineData("orgs create Not_A_Slug --owner ops@example.com", 1, "error: The organization slug must be 1–64 characters: lower-case letters, digits and hyphens, starting and ending with a letter or digit.")]
    [InlineData("orgs create pfnstudio --owner ops@example.com", 1, "error: An organization \"pfnstudio\" already exists; choose another slug.")]
    [InlineData("orgs create acme", 2, "Option '--owner' is required.")]
    [InlineData("orgs add-member pfnstudio ops@example.com", 1, "error: ops@example.com is already a member of \"pfnstudio\".")]
    [InlineData("orgs add-member nowhere ops@example.com", 1, "error: Organization \"nowhere\" not found.")]
    [InlineData("orgs add-member pfnstudio ghost@example.com", 1, "error: No account has the email address \"ghost@example.com\". They must sign up first.")]
    [InlineData("orgs add-member pfnstudio ops@example.com --role boss", 2, "Argument 'boss' not recognized. Must be one of: 'member' 'admin' 'owner'")]
    [InlineData("orgs remove-member pfnstudio ops@example.com", 1, "error: An organization needs at least one owner; make someone else an owner first.")]
    [InlineData("orgs set-role pfnstudio ops@example.com admin", 1, "error: An organization needs at least one owner; make someone else an owner first.")]
    [InlineData("orgs set-role pfnstudio ghost@example.com owner", 1, "error: no account has the email address \"ghost@example.com\".")]
    [InlineData("orgs set-role nowhere ops@example.com owner", 1, "error: Organization \"nowhere\" not found.")]
    [InlineData("orgs set-role pfnstudio ops@example.com boss", 2, "Argument 'boss' not recognized. Must be one of: 'member' 'admin' 'owner'")]
    [InlineData("orgs set-role pfnstudio ops@example.com", 2, "Required argument missing for command: 'set-role'.")]
    [InlineData("projects create pfnstudio-demo --org pfnstudio", 1, "error: The project slug \"pfnstudio-demo\" is taken; choose another.")]
    [InlineData("projects create new-project --org nowhere", 1, "error: Organization \"nowhere\" not found.")]
    [InlineData("tokens issue --user ops@example.com", 2, "Option '--name' is required.")]
    [InlineData("tokens issue --user ghost@example.com --name ci", 1, "error: no account has the email address \"ghost@example.com\".")]
    [InlineData("tokens issue --user ops@example.com --name ci --expires-in 0", 1, "error: Expires in (days) must be a whole number from 1 to 3650, or blank for a token that never expires.")]
    [InlineData("tokens issue --user ops@example.com --name existing", 1, "error: You already have an active token named \"existing\". Choose another name or revoke that one first.")]
    [InlineData("tokens revoke --user ops@example.com --name missing", 1, "error: ops@example.com has no active token named \"missing\".")]
    [InlineData("tokens issue --user ops@example.com --name ci --org pfnstudio", 1, "error: Choose at least one permission: read, push, predict.")]
    [InlineData("tokens issue --user ops@example.com --name ci --scope read", 1, "error: Choose the organization this token may reach.")]
    [InlineData("tokens issue --user ops@example.com --name ci --project pfnstudio-demo --scope read,push", 1, "error: Choose the organization this token may reach.")]
    [InlineData("tokens issue --user ops@example.com --name ci --project pfnstudio-demo", 1, "error: Choose at least one permission: read, push, predict.")]
    [InlineData("tokens issue --user ops@example.com --name ci --org pfnstudio --scope read,admin", 1, "error: \"admin\" is not a permission. Choose from read, push, predict.")]
    [InlineData("tokens issue --user ops@example.com --name ci --org pfnstudio --scope pat", 1, "error: \"pat\" is not a permission. Choose from read, push, predict.")]
    [InlineData("tokens issue --user ops@example.com --name ci --org pfnstudio --scope ,", 1, "error: Choose at least one permission: read, push, predict.")]
    [InlineData("tokens issue --user ops@example.com --name ci --org nowhere --scope read", 1, "error: You are not a member of an organization \"nowhere\".")]
    [InlineData("tokens issue --user ops@example.com --name ci --org pfnstudio --scope read --project nope", 1, "error: \"nope\" is not a project of \"pfnstudio\".")]
    [InlineData("tokens issue --user ops@example.com --name ci --org pfnstudio --scope read --project pfnstudio-demo --project pfnstudio-demo", 1, "error: Project \"pfnstudio-demo\" is listed twice.")]
    [InlineData("tokens issue --user ops@example.com --name existing --org pfnstudio --scope read", 1, "error: You already have an active token named \"existing\". Choose another name or revoke that one first.")]
    [InlineData("tokens issue --user ops@example.com --name ci --org pfnstudio --scope read push", 2, "Unrecognized command or argument 'push'. Run with --help for the commands.")]
    public async Task BadArgumentsAndUnknownNamesPrintOneLineOnStderrExitNonZeroAndChangeNothing(string commandLine, int expectedCode, string expectedError)
    {
        await using var app = new TokensApplication();
        _ = app.Server;
        Assert.Equal(0, (await RunAsync(app, ["users", "create", "ops@example.com"])).Code);
        Assert.Equal(0, (await RunAsync(app, ["tokens", "issue", "--user", "ops@example.com", "--name", "existing"])).Code);
        var before = await SnapshotAsync(app);

        var (code, stdout, stderr) = await RunAsync(app, commandLine.Split(' '));

        Assert.Equal(expectedCode, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(expectedError + "\n", stderr);
        Assert.Equal(before, await SnapshotAsync(app));
    }

    [Fact]
    public async Task TheBinaryPrintsOnlyTheTokenOnStdoutWhenRunAsAProcess()
    {
        await using var app = new TokensApplication();
        _ = app.Server;
        await app.CreateUserAsync("ops@example.com");

        var (code, stdout, stderr) = await RunProcessAsync(app, "tokens", "issue", "--user", "ops@example.com", "--name", "bootstrap");

        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Matches(TokenPattern, Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        using var api = app.CreateClientWithToken(stdout.Trim());
        using var me = await api.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);

        var refused = await RunProcessAsync(app, "tokens", "issue", "--user", "ghost@example.com", "--name", "x");
        Assert.Equal(1, refused.Code);
        Assert.Equal(string.Empty, refused.Stdout);
        Assert.Equal("error: no account has the email address \"ghost@example.com\".", refused.Stderr.Trim());
    }

    [Fact]
    public async Task RevokeAllRevokesEveryActiveTokenOfOneUserAndTheirNextCallsAre401()
    {
        await using var app = new TokensApplication();
        _ = app.Server;
        await RunAsync(app, ["users", "create", "many@example.com"]);
        await RunAsync(app, ["users", "create", "other@example.com"]);
        var first = (await RunAsync(app, ["tokens", "issue", "--user", "many@example.com", "--name", "one"])).Stdout.Trim();
        var second = (await RunAsync(app, ["tokens", "issue", "--user", "many@example.com", "--name", "two"])).Stdout.Trim();
        var others = (await RunAsync(app, ["tokens", "issue", "--user", "other@example.com", "--name", "theirs"])).Stdout.Trim();

        Assert.Equal((0, "Revoked 2 token(s) of many@example.com.\n", ""), await RunAsync(app, ["tokens", "revoke-all", "--user", "many@example.com"]));

        foreach (var token in new[] { first, second })
        {
            using var api = app.CreateClientWithToken(token);
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/me")).StatusCode);
        }

        using var theirs = app.CreateClientWithToken(others);
        Assert.Equal(HttpStatusCode.OK, (await theirs.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(2, await app.WithDbAsync(db => db.AuditEvents.CountAsync(
            e => e.Kind == AuditEventKind.Revoked && e.Detail == "revoked with all of its owner's tokens by the operator command line")));
        Assert.Equal((0, "Revoked 0 token(s) of many@example.com.\n", ""), await RunAsync(app, ["tokens", "revoke-all", "--user", "many@example.com"]));

        var unknown = await RunAsync(app, ["tokens", "revoke-all", "--user", "ghost@example.com"]);
        Assert.Equal(1, unknown.Code);
        Assert.Equal("error: no account has the email address \"ghost@example.com\".", unknown.Stderr.Trim());
    }

    [Fact]
    public async Task ListCommandsShowAccountsOrganizationsProjectsAndTokensWithoutAnySecret()
    {
        await using var app = new TokensApplication();
        _ = app.Server;
        await RunAsync(app, ["users", "create", "ops@example.com"]);
        await RunAsync(app, ["users", "create", "ci@example.com"]);
        await RunAsync(app, ["orgs", "create", "acme", "--owner", "ops@example.com"]);
        await RunAsync(app, ["orgs", "add-member", "acme", "ci@example.com"]);
        await RunAsync(app, ["projects", "create", "acme-ml", "--org", "acme"]);
        var (_, plaintext, _) = await RunAsync(app, ["tokens", "issue", "--user", "ci@example.com", "--name", "pipeline", "--expires-in", "7"]);
        await RunAsync(app, ["tokens", "issue", "--user", "ci@example.com", "--name", "old"]);
        await RunAsync(app, ["tokens", "revoke", "--user", "ci@example.com", "--name", "old"]);

        var users = await RunAsync(app, ["users", "list"]);
        Assert.Equal(0, users.Code);
        Assert.Equal(
            ["EMAIL            CONFIRMED  LOCKED OUT  DISABLED  ORGS  ACTIVE TOKENS", "ci@example.com   yes        no          no        2     1", "ops@example.com  yes        no          no        2     0"],
            Lines(users.Stdout));

        var orgs = await RunAsync(app, ["orgs", "list"]);
        Assert.Contains("acme|acme|ops@example.com|2|1", Lines(orgs.Stdout).Select(Cells));

        var projects = await RunAsync(app, ["projects", "list", "--org", "acme"]);
        Assert.Equal(2, Lines(projects.Stdout).Length);
        Assert.StartsWith("acme-ml  acme", Lines(projects.Stdout)[1], StringComparison.Ordinal);
        Assert.Equal((0, "No projects in \"nowhere\".\n", ""), await RunAsync(app, ["projects", "list", "--org", "nowhere"]));

        var active = await RunAsync(app, ["tokens", "list", "--user", "ci@example.com"]);
        var row = Assert.Single(Lines(active.Stdout).Skip(1));
        var now = app.Clock.GetUtcNow();
        Assert.Matches($"^pipeline\\|pfnstudio_pat_[0-9A-Za-z]{{12}}…\\|pat \\(full access\\)\\|{now:yyyy-MM-dd HH:mm}\\|{now.AddDays(7):yyyy-MM-dd HH:mm}\\|Never\\|active$", Cells(row));
        var everything = await RunAsync(app, ["tokens", "list", "--user", "ci@example.com", "--all"]);
        Assert.EndsWith("revoked", Lines(everything.Stdout)[2], StringComparison.Ordinal);
        Assert.DoesNotContain(plaintext.Trim()[14..], users.Stdout + orgs.Stdout + active.Stdout + everything.Stdout, StringComparison.Ordinal);

        Assert.Equal((1, "", "error: no account has the email address \"nobody@example.com\".\n"),
            await RunAsync(app, ["tokens", "list", "--user", "nobody@example.com"]));
    }

    [Fact]
    public async Task StoredTextThatCouldMoveTheCursorIsShownAsReplacementCharactersInTables()
    {
        await using var app = new TokensApplication();
        _ = app.Server;
        var user = await app.CreateUserAsync("ci@example.com");
        await app.WithDbAsync(async db =>
        {
            // Written past every entry rule, as an older release might have stored it.
            db.Organizations.Add(new Organization { Id = Guid.NewGuid(), Slug = "evil", Name = "\u001b[2Jwiped\u202e", CreatedAt = app.Clock.GetUtcNow() });
            await db.SaveChangesAsync();
            return 0;
        });

        var orgs = await RunAsync(app, ["orgs", "list"]);

        Assert.DoesNotContain('\u001b', orgs.Stdout);
        Assert.DoesNotContain('\u202e', orgs.Stdout);
        Assert.Contains("\ufffd[2Jwiped\ufffd", orgs.Stdout, StringComparison.Ordinal);
        Assert.NotNull(user);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    [InlineData("help tokens issue")]
    [InlineData("tokens list --help")]
    public async Task HelpListsTheCommandsWithoutStartingTheServerOrTouchingTheDatabase(string line)
    {
        var directory = Directory.CreateTempSubdirectory("pfnstudio-help-").FullName;
        try
        {
            var start = HostBinary.StartInfo(line.Split(' '));
            start.Environment["ConnectionStrings__Sqlite"] = $"Data Source={Path.Combine(directory, "help.db")}";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);

            Assert.Equal((0, ""), (process.ExitCode, await stderr));
            var help = await stdout;
            Assert.Contains("Usage:", help, StringComparison.Ordinal);
            Assert.DoesNotContain("Now listening", help, StringComparison.Ordinal);
            if (line.Split(' ').Length == 1)
            {
                Assert.All(["users", "orgs", "projects", "tokens"], command => Assert.Contains($"  {command} ", help, StringComparison.Ordinal));
            }

            Assert.Empty(Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task AMistypedCommandIsOneLineAndExit2BeforeAnyDatabaseIsOpened()
    {
        var directory = Directory.CreateTempSubdirectory("pfnstudio-typo-").FullName;
        try
        {
            var start = HostBinary.StartInfo(["tokns", "list"]);
            start.Environment["ConnectionStrings__Sqlite"] = $"Data Source={Path.Combine(directory, "typo.db")}";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);

            Assert.Equal((2, ""), (process.ExitCode, await stdout));
            Assert.Equal("Unrecognized command or argument 'tokns'. Run with --help for the commands.", (await stderr).TrimEnd());
            Assert.Empty(Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string Cells(string line) => string.Join('|', System.Text.RegularExpressions.Regex.Split(line.Trim(), " {2,}"));

    [Fact]
    public async Task SetRoleRepairsAnOrganizationLeftWithoutAnOwnerAndRefusesToDemoteTheLastOne()
    {
        await using var app = new TokensApplication();
        _ = app.Server;
        await RunAsync(app, ["users", "create", "ops@example.com"]);
        await RunAsync(app, ["users", "create", "ada@example.com"]);
        await RunAsync(app, ["orgs", "create", "acme", "--owner", "ops@example.com"]);
        await RunAsync(app, ["orgs", "add-member", "acme", "ada@example.com"]);

        // What a race used to leave behind: members, and no owner among them.
        await app.WithDbAsync(db => db.Memberships.Where(m => m.Organization!.Slug == "acme")
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, OrganizationRole.Admin)));

        Assert.Equal((0, "ada@example.com is now owner of \"acme\".\n", ""), await RunAsync(app, ["orgs", "set-role", "acme", "ada@example.com", "owner"]));
        Assert.Equal((0, "ops@example.com is now member of \"acme\".\n", ""), await RunAsync(app, ["orgs", "set-role", "acme", "ops@example.com", "member"]));

        // Ada is now the only owner: taking that away is one line on stderr, exit 1, nothing changed.
        Assert.Equal(
            (OperatorCommandLine.Refused, "", "error: An organization needs at least one owner; make someone else an owner first.\n"),
            await RunAsync(app, ["orgs", "set-role", "acme", "ada@example.com", "admin"]));
        var roles = await app.WithDbAsync(db => db.Memberships.Where(m => m.Organization!.Slug == "acme")
            .Select(m => m.User!.Email + "/" + m.Role).ToListAsync());
        Assert.Equal(["ada@example.com/Owner", "ops@example.com/Member"], roles.Order(StringComparer.Ordinal).ToList());

        // Only accepted members: a stranger to the organization is refused, not added.
        await RunAsync(app, ["users", "create", "stranger@example.com"]);
        Assert.Equal(
            (OperatorCommandLine.Refused, "", "error: That person is not a member of this organization.\n"),
            await RunAsync(app, ["orgs", "set-role", "acme", "stranger@example.com", "owner"]));
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(TokensApplication app, string[] args, string stdin = "")
    {
        using var input = new StringReader(stdin);
        await using var output = new StringWriter { NewLine = "\n" };
        await using var error = new StringWriter { NewLine = "\n" };
        var code = await OperatorCommandLine.RunAsync(app.Services, args, input, output, error);
        return (code, output.ToString(), error.ToString());
    }

    // The published entry point: the host's own dll, beside the tests, on the fixture's database.
    private static async Task<(int Code, string Stdout, string Stderr)> RunProcessAsync(TokensApplication app, params string[] args)
    {
        var start = HostBinary.StartInfo(args, redirectInput: true);

        foreach (var (key, value) in app.StoreEnvironment)
        {
            start.Environment[key] = value;
        }

        start.Environment["Argon2__MemoryKiB"] = "64";
        start.Environment["Argon2__Iterations"] = "1";
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static Task<string> SnapshotAsync(TokensApplication app) => app.WithDbAsync(async db =>
    {
        var users = await db.Users.OrderBy(u => u.Email).Select(u => u.Email).ToListAsync();
        var organizations = await db.Organizations.OrderBy(o => o.Slug).Select(o => o.Slug).ToListAsync();
        var memberships = await db.Memberships.Select(m => m.Organization!.Slug + "/" + m.User!.Email + "/" + m.Role).ToListAsync();
        var projects = await db.Projects.OrderBy(p => p.Slug).Select(p => p.Slug).ToListAsync();
        var tokens = await db.PersonalAccessTokens.Select(t => t.Name + "/" + (t.RevokedAt == null ? "active" : "revoked")).ToListAsync();
        return string.Join("|", users.Concat(organizations).Concat(memberships.Order()).Concat(projects).Concat(tokens.Order()));
    });
}
