using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace PfnStudio.Tokens.Data;

/// <summary>
/// The service's store, provider-neutral: Identity's tables, the personal access tokens, organizations and
/// their projects, and the Data Protection key ring (shared by every host on one database). Each provider has
/// its own subclass and migrations (EF Core's "migrations with multiple providers", one context type per
/// provider): <see cref="SqliteTokensDbContext"/> (<c>Data/Migrations/Sqlite</c>) and
/// <see cref="PostgresTokensDbContext"/> (<c>Data/Migrations/Postgres</c>). Add a migration to both:
/// <c>dotnet ef migrations add NAME --project src/PfnStudio.Tokens --context SqliteTokensDbContext --output-dir Data/Migrations/Sqlite</c>
/// and the same with <c>PostgresTokensDbContext</c> and <c>Data/Migrations/Postgres</c>.
/// </summary>
internal abstract class TokensDbContext(DbContextOptions options)
    : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext
{
    /// <summary>The Data Protection key ring (sign-in cookies, antiforgery), shared by every host.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>Every personal access token, active and ended.</summary>
    public DbSet<PersonalAccessToken> PersonalAccessTokens => Set<PersonalAccessToken>();

    /// <summary>Organizations.</summary>
    public DbSet<Organization> Organizations => Set<Organization>();

    /// <summary>Who belongs to which organization, with which role.</summary>
    public DbSet<Membership> Memberships => Set<Membership>();

    /// <summary>Projects, each in one organization.</summary>
    public DbSet<Project> Projects => Set<Project>();

    /// <summary>Every version of every pushed prior.</summary>
    public DbSet<Prior> Priors => Set<Prior>();

    /// <summary>Every version of every pushed model spec.</summary>
    public DbSet<ModelSpec> ModelSpecs => Set<ModelSpec>();

    /// <summary>Every Predict call.</summary>
    public DbSet<Run> Runs => Set<Run>();

    /// <summary>Token events (issued, revoked, failed and expired uses) shown to each token's owner.</summary>
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(TokensDbContext).Assembly);
    }

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset columns in SQL (efcore #17476), so instants are
        // stored there as UTC ticks: an INTEGER that sorts and compares like the instant. PostgreSQL keeps
        // its native timestamptz.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        }
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}
