using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PfnStudio.Tokens.Data;
using Serilog.Core;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>
/// The host under test: the real Program on a real store — a SQLite file in a temp folder, or (in the
/// PfnStudio.Tokens.Tests.Postgres build of these same tests) a fresh PostgreSQL database on the server named by
/// <c>PFNSTUDIO_TEST_POSTGRES</c> — a fake clock, Argon2 at a low cost (unless <see cref="ProductionArgon2"/>), and
/// every log event captured at Verbose. Each test builds its own; <see cref="TokensApplication(TokensApplication)"/>
/// builds a second host on the first one's store.
/// </summary>
internal sealed class TokensApplication : WebApplicationFactory<Program>
{
    public const string Password = "correct horse battery staple";

    private readonly string _directory;
    private readonly TestStore _store;
    private readonly bool _ownsStore;

    /// <summary>Starts at 2026-11-29 12:00:00 UTC.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));

    public CapturedLogs Logs { get; } = new();

    /// <summary>Runs a test's action just before a chosen query (see <see cref="CommandHook"/>).</summary>
    public CommandHook Commands { get; } = new();

    /// <summary>The SQLite file (SQLite runs only).</summary>
    public string DatabasePath => Path.Combine(_directory, "tokens.db");

    /// <summary>Whether this run's store is PostgreSQL.</summary>
    public static bool IsPostgres => TestStore.IsPostgres;

    /// <summary>Environment variables that point another host process at this store.</summary>
    public IReadOnlyDictionary<string, string> StoreEnvironment => _store.Environment;

    /// <summary>Extra configuration, applied last (e.g. <c>["Accounts:RequireConfirmedEmail"] = "true"</c>).</summary>
    public Dictionary<string, string> Settings { get; init; } = [];

    /// <summary>The host environment; "Testing" behaves as production (Secure cookies, HTTPS redirection, HSTS).</summary>
    public string Environment { get; init; } = "Testing";

    /// <summary>Keep OWASP's Argon2 defaults instead of the fast test cost.</summary>
    public bool ProductionArgon2 { get; init; }

    /// <summary>A host on a store of its own.</summary>
    public TokensApplication()
    {
        _directory = Directory.CreateTempSubdirectory("pfnstudio-tests-").FullName;
        _store = TestStore.Create(DatabasePath);
        _ownsStore = true;

        // Outside Development cookies are Secure, so the in-process client talks https like a deployed browser.
        ClientOptions.BaseAddress = new Uri("https://localhost");
    }

    /// <summary>A second host on <paramref name="shareStoreWith"/>'s store (several hosts, one database).</summary>
    public TokensApplication(TokensApplication shareStoreWith)
    {
        _directory = shareStoreWith._directory;
        _store = shareStoreWith._store;
        Clock = shareStoreWith.Clock;
        ClientOptions.BaseAddress = new Uri("https://localhost");
    }

    /// <summary>Opens a connection of its own to the store, as another process would.</summary>
    public Task<System.Data.Common.DbConnection> OpenSeparateConnectionAsync() => _store.OpenConnectionAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        foreach (var (key, value) in _store.Settings)
        {
            builder.UseSetting(key, value);
        }
        if (!ProductionArgon2)
        {
            builder.UseSetting("Argon2:MemoryKiB", "64");
            builder.UseSetting("Argon2:Iterations", "1");

            // At this cost a verification takes microseconds: the production budget (5 per slot per second) would
            // only slow tests that use many fresh tokens at once. Argon2CapacityTests set it where it is the subject.
            builder.UseSetting("Argon2:VerificationsPerSecond", "100000");
        }

        // Refusals from memory answer at once: a delay on the fake clock would wait for a test to advance it.
        builder.UseSetting("HotPath:RefusalDelayMilliseconds", "0");

        builder.UseSetting("Serilog:MinimumLevel:Default", "Verbose");
        builder.UseSetting("Serilog:MinimumLevel:Override:Microsoft.AspNetCore", "Verbose");
        builder.UseSetting("Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore", "Verbose");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            // First of all startup filters, so the framework's forwarded-headers middleware sees the test's peer address.
            services.Insert(0, ServiceDescriptor.Singleton<Microsoft.AspNetCore.Hosting.IStartupFilter, TestClientAddress>());
            services.AddSingleton<ILogEventSink>(Logs);
            services.ConfigureDbContext<PfnStudio.Tokens.Data.SqliteTokensDbContext>(options => options.AddInterceptors(Commands));
            services.ConfigureDbContext<PfnStudio.Tokens.Data.PostgresTokensDbContext>(options => options.AddInterceptors(Commands));
        });
    }

    /// <summary>A client that keeps cookies and follows redirects, like a browser.</summary>
    public BrowserSession CreateBrowser(bool followRedirects = true) =>
        new(CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = ClientOptions.BaseAddress, AllowAutoRedirect = followRedirects, HandleCookies = true }));

    /// <summary>Creates an account directly through Identity.</summary>
    public async Task<ApplicationUser> CreateUserAsync(string email)
    {
        using var scope = Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email };
        var result = await users.CreateAsync(user, Password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
        return user;
    }

    /// <summary>Issues a token through the token service (not the page) and returns its plaintext.</summary>
    public async Task<string> IssueTokenAsync(string userId, string name, int? expiresInDays = null)
    {
        using var scope = Services.CreateScope();
        var tokens = scope.ServiceProvider.GetRequiredService<PersonalAccessTokenService>();
        var result = await tokens.IssueAsync(userId, name, expiresInDays?.ToString(System.Globalization.CultureInfo.InvariantCulture), null);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        return result.Plaintext!;
    }

    /// <summary>
    /// Issues a token in the legacy format (46 characters, no checksum), as tokens issued before the checksum existed:
    /// through the token service, then with the row's prefix, Argon2id hash and SHA-256 replaced in the store by those
    /// of a legacy-shaped plaintext. Returns that plaintext.
    /// </summary>
    public async Task<string> IssueLegacyTokenAsync(string userId, string name, int? expiresInDays = null)
    {
        var current = await IssueTokenAsync(userId, name, expiresInDays);
        PersonalAccessTokenFormat.TryGetPrefix(current, out var currentPrefix);
        var legacy = PersonalAccessTokenFormat.Marker
            + System.Security.Cryptography.RandomNumberGenerator.GetString(PersonalAccessTokenFormat.Alphabet, PersonalAccessTokenFormat.RandomLength);
        Assert.True(PersonalAccessTokenFormat.TryGetPrefix(legacy, out var prefix));
        Assert.False(PersonalAccessTokenFormat.HasValidChecksum(legacy));
        using var scope = Services.CreateScope();
        var hash = await scope.ServiceProvider.GetRequiredService<Argon2idTokenHasher>().HashAsync(legacy);
        var sha256 = PersonalAccessTokens.Verification.TokenDigest.Of(legacy).ToHex();
        var db = scope.ServiceProvider.GetRequiredService<TokensDbContext>();
        var updated = await db.PersonalAccessTokens.Where(t => t.Prefix == currentPrefix)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Prefix, prefix).SetProperty(t => t.Hash, hash).SetProperty(t => t.SecretSha256, sha256));
        Assert.Equal(1, updated);
        await db.AuditEvents.Where(e => e.TokenPrefix == currentPrefix).ExecuteUpdateAsync(s => s.SetProperty(e => e.TokenPrefix, prefix));
        return legacy;
    }

    /// <summary>
    /// Issues a fine-grained token for <paramref name="organization"/> with <paramref name="permissions"/>, on
    /// <paramref name="projects"/> (none: every project of the organization), and returns its plaintext.
    /// </summary>
    public async Task<string> IssueFineGrainedTokenAsync(
        string userId, string name, string organization, string[] permissions, string[]? projects = null, int? expiresInDays = null)
    {
        using var scope = Services.CreateScope();
        var tokens = scope.ServiceProvider.GetRequiredService<PersonalAccessTokenService>();
        var access = new TokenAccessRequest(
            TokenAccessRequest.FineGrainedValue, organization,
            projects is { Length: > 0 } ? TokenAccessRequest.ChosenProjectsValue : TokenAccessRequest.AllProjectsValue,
            projects, permissions);
        var result = await tokens.IssueAsync(userId, name, expiresInDays?.ToString(System.Globalization.CultureInfo.InvariantCulture), access, null);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        return result.Plaintext!;
    }

    /// <summary>A client that sends <c>Authorization: Bearer {token}</c>.</summary>
    public HttpClient CreateClientWithToken(string token)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = ClientOptions.BaseAddress, AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Runs <paramref name="action"/> against a fresh context of the host's store.</summary>
    public async Task<T> WithDbAsync<T>(Func<TokensDbContext, Task<T>> action)
    {
        using var scope = Services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<TokensDbContext>());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!_ownsStore)
        {
            return;
        }

        _store.Drop();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the OS; the temp folder is cleaned up later.
        }
    }
}
