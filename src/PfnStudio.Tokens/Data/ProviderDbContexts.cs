using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace PfnStudio.Tokens.Data;

/// <summary>The store on SQLite (the embedded default); migrations in <c>Data/Migrations/Sqlite</c>.</summary>
internal sealed class SqliteTokensDbContext(DbContextOptions<SqliteTokensDbContext> options) : TokensDbContext(options);

/// <summary>The store on PostgreSQL (several hosts, one database); migrations in <c>Data/Migrations/Postgres</c>.</summary>
internal sealed class PostgresTokensDbContext(DbContextOptions<PostgresTokensDbContext> options) : TokensDbContext(options);

/// <summary>Lets <c>dotnet ef</c> build the SQLite context without starting the host.</summary>
internal sealed class DesignTimeSqliteFactory : IDesignTimeDbContextFactory<SqliteTokensDbContext>
{
    public SqliteTokensDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteTokensDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>Lets <c>dotnet ef</c> build the PostgreSQL context without a server (adding a migration never connects).</summary>
internal sealed class DesignTimePostgresFactory : IDesignTimeDbContextFactory<PostgresTokensDbContext>
{
    public PostgresTokensDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresTokensDbContext>().UseNpgsql("Host=localhost;Database=design-time").Options);
}
