using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>
/// The store a test host runs on. The PfnStudio.Tokens.Tests project uses a SQLite file; the
/// PfnStudio.Tokens.Tests.Postgres project compiles the same tests with <c>POSTGRES</c> defined and gives each host a
/// fresh database on the server in <c>PFNSTUDIO_TEST_POSTGRES</c> (skipped when unset, failed when <c>CI=true</c>).
/// </summary>
internal sealed class TestStore
{
    public const string PostgresVariable = "PFNSTUDIO_TEST_POSTGRES";

#if POSTGRES
    public static bool IsPostgres => true;
#else
    public static bool IsPostgres => false;
#endif

    private readonly string? _adminConnectionString;
    private readonly string? _databaseName;

    private TestStore(IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string> environment,
        string connectionString, string? adminConnectionString = null, string? databaseName = null)
    {
        Settings = settings;
        Environment = environment;
        ConnectionString = connectionString;
        _adminConnectionString = adminConnectionString;
        _databaseName = databaseName;
    }

    /// <summary>Configuration keys for a host in-process.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The same as environment variables, for a host process.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public string ConnectionString { get; }

    public static TestStore Create(string sqlitePath)
    {
        if (!IsPostgres)
        {
            // Writers wait at most 5 s for a lock held elsewhere (Microsoft.Data.Sqlite's default is 30 s).
            var sqlite = $"Data Source={sqlitePath};Default Timeout=5";
            return new TestStore(
                new Dictionary<string, string> { ["Database:Provider"] = "Sqlite", ["ConnectionStrings:Sqlite"] = sqlite },
                new Dictionary<string, string> { ["Database__Provider"] = "Sqlite", ["ConnectionStrings__Sqlite"] = sqlite },
                sqlite);
        }

        var admin = System.Environment.GetEnvironmentVariable(PostgresVariable);
        if (string.IsNullOrWhiteSpace(admin))
        {
            Requirement.Unmet($"PostgreSQL run skipped: {PostgresVariable} is not set: it names a PostgreSQL server (Npgsql connection string of a user who may CREATE DATABASE); .ci/run starts one.");
        }

        var name = $"pfnstudio_test_{Guid.NewGuid():N}";
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = $"CREATE DATABASE \"{name}\"";
            create.ExecuteNonQuery();
        }

        var database = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        return new TestStore(
            new Dictionary<string, string> { ["Database:Provider"] = "Postgres", ["ConnectionStrings:Postgres"] = database },
            new Dictionary<string, string> { ["Database__Provider"] = "Postgres", ["ConnectionStrings__Postgres"] = database },
            database, admin, name);
    }

    public async Task<DbConnection> OpenConnectionAsync()
    {
        DbConnection connection = IsPostgres
            ? new NpgsqlConnection(ConnectionString)
            : new SqliteConnection(ConnectionString + ";Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    public void Drop()
    {
        if (_adminConnectionString is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(_adminConnectionString);
        connection.Open();
        using var drop = connection.CreateCommand();
        drop.CommandText = $"DROP DATABASE IF EXISTS \"{_databaseName}\" WITH (FORCE)";
        drop.ExecuteNonQuery();
    }
}
