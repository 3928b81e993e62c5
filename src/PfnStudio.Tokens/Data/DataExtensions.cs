using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace PfnStudio.Tokens.Data;

/// <summary>Registers the store (SQLite or PostgreSQL, by configuration) and applies its migrations at start.</summary>
internal static class DataExtensions
{
    /// <summary>The setting that chooses the provider: <c>Sqlite</c> (default) or <c>Postgres</c>.</summary>
    public const string ProviderSetting = "Database:Provider";

    /// <summary>The connection string name of the embedded SQLite store.</summary>
    public const string SqliteConnectionName = "Sqlite";

    /// <summary>The connection string name of the PostgreSQL store.</summary>
    public const string PostgresConnectionName = "Postgres";

    /// <summary>
    /// Registers <see cref="TokensDbContext"/> on the provider named by <c>Database:Provider</c>:
    /// <c>Sqlite</c> from <c>ConnectionStrings:Sqlite</c> (default <c>Data Source=data/pfnstudio.db</c>; a relative
    /// path is taken from the content root and its folder created) or <c>Postgres</c> from
    /// <c>ConnectionStrings:Postgres</c> (Npgsql syntax). Also registers the database health check and keeps the
    /// Data Protection key ring in the database, so every host on one database accepts the others' sign-in
    /// cookies and antiforgery tokens, and cookies survive a restart.
    /// </summary>
    /// <exception cref="InvalidOperationException">An unknown provider, or its connection string missing or malformed.</exception>
    public static WebApplicationBuilder AddTokensData(this WebApplicationBuilder builder)
    {
        var provider = builder.Configuration[ProviderSetting];
        if (string.IsNullOrWhiteSpace(provider) || provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            var createString = SqliteConnectionString(builder);

            // While running, connections never create the file (a deleted store is an error, not a fresh empty
            // one) and are not pooled (a pooled connection would go on writing into a deleted file). Only the
            // migration at start may create it.
            var connectionString = new SqliteConnectionStringBuilder(createString)
            {
                Mode = SqliteOpenMode.ReadWrite,
                Pooling = false,
            }.ToString();
            builder.Services.AddSingleton(new SqliteStoreCreation(createString));
            builder.Services.AddDbContext<TokensDbContext, SqliteTokensDbContext>(options => options.UseSqlite(connectionString));
        }
        else if (provider.Equals("Postgres", StringComparison.OrdinalIgnoreCase))
        {
            var connectionString = PostgresConnectionString(builder);
            builder.Services.AddDbContext<TokensDbContext, PostgresTokensDbContext>(options => options.UseNpgsql(connectionString));
        }
        else
        {
            throw new InvalidOperationException($"{ProviderSetting} must be Sqlite or Postgres; it is \"{provider}\".");
        }

        builder.Services.AddDataProtection()
            .SetApplicationName("PfnStudio.Tokens")
            .PersistKeysToDbContext<TokensDbContext>();
        // Not just "can connect": SQLite connects to (and creates) a missing file, so the check reads the tokens table.
        builder.Services.AddHealthChecks().AddDbContextCheck<TokensDbContext>("database", customTestQuery: async (db, cancellationToken) =>
        {
            await db.PersonalAccessTokens.AsNoTracking().Select(t => t.Id).FirstOrDefaultAsync(cancellationToken);
            return true;
        });
        return builder;
    }

    /// <summary>
    /// Applies pending migrations of the configured provider (never <c>EnsureCreated</c>) and switches SQLite to
    /// write-ahead logging, so readers do not block the writer and a killed process leaves a database that
    /// opens cleanly.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        if (app.Services.GetService<SqliteStoreCreation>() is { } creation)
        {
            // The only connection allowed to create the SQLite file.
            await using var create = new SqliteTokensDbContext(
                new DbContextOptionsBuilder<SqliteTokensDbContext>().UseSqlite(creation.ConnectionString).Options);
            await create.Database.MigrateAsync();
            await create.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TokensDbContext>();

        // Npgsql's own migration lock lives in each migration's transaction, taken after the pending list was
        // read: two hosts starting on an empty database both applied the first migrations ("column already
        // exists", found by docs/several-hosts.sh). One session-level advisory lock around the whole run, on a
        // connection of its own, makes hosts take turns; the second then finds nothing pending. PostgreSQL drops
        // the lock with the session if a host dies midway.
        await using var lockConnection = new NpgsqlConnection(db.Database.GetConnectionString());
        await lockConnection.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            take.Parameters.AddWithValue("key", MigrationLockKey);
            await take.ExecuteNonQueryAsync();
        }

        try
        {
            await db.Database.MigrateAsync();
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync();
        }
    }

    // Any fixed 64-bit number that nothing else in the database uses as an advisory lock key ("PfnMigr1").
    private const long MigrationLockKey = 0x50666E4D69677231;

    private static string SqliteConnectionString(WebApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetConnectionString(SqliteConnectionName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{SqliteConnectionName} is not set; set it to e.g. \"Data Source=data/pfnstudio.db\".");
        }

        SqliteConnectionStringBuilder connection;
        try
        {
            connection = new SqliteConnectionStringBuilder(configured);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"ConnectionStrings:{SqliteConnectionName} is malformed: {ex.Message}", ex);
        }

        if (string.IsNullOrWhiteSpace(connection.DataSource))
        {
            throw new InvalidOperationException($"ConnectionStrings:{SqliteConnectionName} has no Data Source.");
        }

        if (connection.DataSource != ":memory:" && connection.Mode != SqliteOpenMode.Memory)
        {
            connection.DataSource = Path.GetFullPath(connection.DataSource, builder.Environment.ContentRootPath);
            Directory.CreateDirectory(Path.GetDirectoryName(connection.DataSource)!);
        }

        return connection.ToString();
    }

    private static string PostgresConnectionString(WebApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetConnectionString(PostgresConnectionName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{PostgresConnectionName} is not set; set it to e.g. \"Host=127.0.0.1;Database=pfnstudio;Username=pfnstudio;Password=…\".");
        }

        try
        {
            return new NpgsqlConnectionStringBuilder(configured).ConnectionString;
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"ConnectionStrings:{PostgresConnectionName} is malformed: {ex.Message}", ex);
        }
    }
}

/// <summary>The SQLite connection string that may create the file: used once, to migrate at start.</summary>
/// <param name="ConnectionString">The configured connection string with the path made absolute.</param>
internal sealed record SqliteStoreCreation(string ConnectionString);
