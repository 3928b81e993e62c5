using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace PfnStudio.Tokens.Data;

/// <summary>Registers the store and applies its migrations at start.</summary>
public static class DataExtensions
{
    /// <summary>The connection string name of the embedded SQLite store.</summary>
    public const string SqliteConnectionName = "Sqlite";

    /// <summary>
    /// Registers <see cref="TokensDbContext"/> on SQLite from <c>ConnectionStrings:Sqlite</c> (default
    /// <c>Data Source=data/pfnstudio.db</c>; a relative path is taken from the content root and its folder
    /// is created), the database health check, and the Data Protection key ring in <c>keys/</c> beside the
    /// database file, so sign-in cookies survive a restart.
    /// </summary>
    /// <exception cref="InvalidOperationException">The connection string is missing or has no data source.</exception>
    public static WebApplicationBuilder AddTokensData(this WebApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetConnectionString(SqliteConnectionName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{SqliteConnectionName} is not set; set it to e.g. \"Data Source=data/pfnstudio.db\".");
        }

        var connection = new SqliteConnectionStringBuilder(configured);
        if (string.IsNullOrWhiteSpace(connection.DataSource))
        {
            throw new InvalidOperationException($"ConnectionStrings:{SqliteConnectionName} has no Data Source.");
        }

        if (connection.DataSource != ":memory:" && connection.Mode != SqliteOpenMode.Memory)
        {
            connection.DataSource = Path.GetFullPath(connection.DataSource, builder.Environment.ContentRootPath);
            var folder = Path.GetDirectoryName(connection.DataSource)!;
            Directory.CreateDirectory(folder);
            builder.Services.AddDataProtection()
                .SetApplicationName("PfnStudio.Tokens")
                .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(folder, "keys")));
        }

        var connectionString = connection.ToString();
        builder.Services.AddDbContext<TokensDbContext>(options => options.UseSqlite(connectionString));
        builder.Services.AddHealthChecks().AddDbContextCheck<TokensDbContext>("database");
        return builder;
    }

    /// <summary>
    /// Applies pending migrations (never <c>EnsureCreated</c>) and switches SQLite to write-ahead logging,
    /// so readers do not block the writer and a killed process leaves a database that opens cleanly.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TokensDbContext>();
        await db.Database.MigrateAsync();
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
    }
}
