using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.PersonalAccessTokens.Verification;

/// <summary>A token row's state as the hot path reads it on every request.</summary>
/// <param name="Id">The row's id.</param>
/// <param name="Hash">The stored Argon2id PHC string (compared with the one a verification was made against).</param>
/// <param name="RevokedAt">Revocation instant (UTC), or <see langword="null"/>.</param>
/// <param name="ExpiresAt">Expiry instant (UTC), or <see langword="null"/> for never.</param>
/// <param name="OwnerDisabledAt">When the owner's account was disabled (UTC), or <see langword="null"/> while it is enabled.</param>
/// <param name="SecretSha256">The token's SHA-256 (64 lower-case hex), or <see langword="null"/> for a row issued before it was stored and not used since.</param>
/// <param name="UserId">The owner's id.</param>
internal sealed record TokenState(
    Guid Id, string Hash, DateTimeOffset? RevokedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? OwnerDisabledAt, string? SecretSha256, string UserId);

/// <summary>
/// Reads a token's current <see cref="TokenState"/> by its indexed prefix, with its owner's disabled state joined in
/// by the owner's primary key (the same statement, no second round trip), as one prepared point read on a
/// connection this reader keeps open, so the per-request revocation check costs microseconds and always sees
/// the store's committed state (a revoke by another process or host included): nothing is remembered across a commit.
/// Table and column names come from the EF model and the connection from the <see cref="TokensDbContext"/>'s
/// provider, so the same SQL serves SQLite and PostgreSQL. Needs a shared store (a file or a server), not an
/// in-memory SQLite database, which a second connection would not see.
/// <para>
/// On PostgreSQL, where a round trip costs far more than the read, concurrent requests share round trips: at most
/// <see cref="HotPathOptions.BatchedReadsInFlight"/> reads run at once, and a request that arrives while they are busy joins the
/// <em>next</em> batch (one <c>WHERE prefix = ANY(@prefixes)</c> statement for every prefix waiting), never a read
/// that started before it arrived. So each request still sees every revoke committed before it began, on every
/// host, while a flood of requests costs a few statements instead of one each. At low load a request finds a free
/// slot and reads at once, alone. SQLite reads in process in microseconds, one point read per request, and in WAL
/// mode not even that while no connection has committed since the token's state was read (<see cref="SqliteStateMemo"/>).
/// </para>
/// </summary>
internal sealed class TokenStateReader(IServiceScopeFactory scopes, TimeProvider time, IOptions<HotPathOptions> options) : IDisposable
{
    /// <summary>
    /// How often a SQLite store's file is looked for (one <c>stat</c> call) while it is there. Within this window
    /// after the file is moved away, requests may still be answered from the connections kept open on it; nothing
    /// can be revoked in that window, since every other store access already fails (503). Once missing, it is looked
    /// for on every request until it is back.
    /// </summary>
    public static readonly TimeSpan StoreFileCheckInterval = TimeSpan.FromMilliseconds(100);

    // Idle connections kept; more are opened under load and closed when returned to a full pool.
    private static readonly int MaxIdle = Math.Max(4, Environment.ProcessorCount * 2);

    private readonly int _maxBatchesInFlight = options.Value.BatchedReadsInFlight;

    /// <summary>Most prefixes in one batched statement; more wait for the batch after.</summary>
    public const int MaxBatchSize = 256;

    private readonly ConcurrentQueue<Lease> _idle = new();
    private readonly SemaphoreSlim _initialize = new(1, 1);
    private readonly Lock _gate = new();
    private List<Waiter> _waiting = [];
    private int _batchesInFlight;
    private long _statements;
    private Plan? _plan;
    private bool _disposed;
    private long _storeFileSeenAt = long.MinValue;
    private SqliteStateMemo? _memo;
    private int _reopenMemo;

    /// <summary>Statements executed so far (one per point read, one per batch): what tests and the benchmark count.</summary>
    public long Statements => Interlocked.Read(ref _statements);

    /// <summary>Reads the row whose prefix is <paramref name="prefix"/>.</summary>
    /// <returns>Its state, or <see langword="null"/> when no row has this prefix.</returns>
    /// <exception cref="DbException">The store could not be read.</exception>
    public async Task<TokenState?> ReadAsync(string prefix, CancellationToken cancellationToken)
    {
        var plan = _plan ?? await InitializeAsync(cancellationToken);
        return plan.Batched ? await ReadInBatchAsync(prefix, cancellationToken) : await ReadAloneAsync(prefix, cancellationToken);
    }

    private async Task<TokenState?> ReadInBatchAsync(string prefix, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(prefix);
        List<Waiter>? batch = null;
        lock (_gate)
        {
            _waiting.Add(waiter);
            if (_batchesInFlight < _maxBatchesInFlight)
            {
                _batchesInFlight++;
                batch = TakeWaiting();
            }
        }

        if (batch is not null)
        {
            // This request starts the statement (it and whoever queued since the last one started), then, while
            // others are waiting, runs their batches too before giving the slot back.
            _ = RunBatchesAsync(batch);
        }

        return await waiter.Result.Task.WaitAsync(cancellationToken);
    }

    // Called under _gate.
    private List<Waiter> TakeWaiting()
    {
        if (_waiting.Count <= MaxBatchSize)
        {
            var all = _waiting;
            _waiting = [];
            return all;
        }

        var first = _waiting.GetRange(0, MaxBatchSize);
        _waiting.RemoveRange(0, MaxBatchSize);
        return first;
    }

    private async Task RunBatchesAsync(List<Waiter> batch)
    {
        while (true)
        {
            await ReadBatchAsync(batch);
            lock (_gate)
            {
                if (_waiting.Count == 0 || _disposed)
                {
                    _batchesInFlight--;
                    return;
                }

                batch = TakeWaiting();
            }
        }
    }

    private async Task ReadBatchAsync(List<Waiter> batch)
    {
        Lease? lease = null;
        try
        {
            lease = await RentAsync(CancellationToken.None);
            lease.Prefix.Value = batch.Select(w => w.Prefix).Distinct(StringComparer.Ordinal).ToArray();
            Interlocked.Increment(ref _statements);
            var states = new Dictionary<string, TokenState>(batch.Count, StringComparer.Ordinal);
            await using (var reader = await lease.Command.ExecuteReaderAsync(CancellationToken.None))
            {
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    states[reader.GetString(5)] = Read(reader);
                }
            }

            Return(lease);
            foreach (var waiter in batch)
            {
                waiter.Result.TrySetResult(states.GetValueOrDefault(waiter.Prefix));
            }
        }
        catch (Exception ex)
        {
            // A connection that failed mid-read is not trusted again; every request of the batch sees the fault.
            if (lease is not null)
            {
                await lease.DisposeAsync();
            }

            foreach (var waiter in batch)
            {
                waiter.Result.TrySetException(ex);
            }
        }
    }

    private async Task<TokenState?> ReadAloneAsync(string prefix, CancellationToken cancellationToken)
    {
        // A SQLite file deleted or moved away under a running host: connections kept open would go on reading the
        // unlinked file, so its presence is checked (one stat call per StoreFileCheckInterval) and, once it is
        // missing, the open connections are dropped.
        var plan = _plan ?? await InitializeAsync(cancellationToken);
        if (plan.SqliteFile is { } file && StoreFileCheckDue())
        {
            if (!File.Exists(file))
            {
                Volatile.Write(ref _storeFileSeenAt, long.MinValue);
                if (Interlocked.Exchange(ref _memo, null) is { } dropped)
                {
                    await dropped.DisposeAsync();
                    Volatile.Write(ref _reopenMemo, 1);
                }

                while (_idle.TryDequeue(out var stale))
                {
                    await stale.DisposeAsync();
                }

                throw new TokenStoreMissingException();
            }

            if (Interlocked.Exchange(ref _reopenMemo, 0) == 1)
            {
                Volatile.Write(ref _memo, await SqliteStateMemo.TryOpenAsync(plan.Factory, plan.ConnectionString, cancellationToken));
            }

            Volatile.Write(ref _storeFileSeenAt, time.GetTimestamp());
        }

        // SQLite in WAL mode: while nothing was committed since this token's state was read, it is what a read
        // would return now (SqliteStateMemo), and no statement runs.
        var memo = Volatile.Read(ref _memo);
        var snapshot = default(SqliteStateMemo.Snapshot);
        if (memo is not null && memo.TryGet(prefix, out var remembered, out snapshot))
        {
            return remembered;
        }

        var lease = await RentAsync(cancellationToken);
        try
        {
            lease.Prefix.Value = prefix;
            Interlocked.Increment(ref _statements);
            TokenState? state = null;
            await using (var reader = await lease.Command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    state = Read(reader);
                }
            }

            Return(lease);
            if (memo is not null && state is not null)
            {
                memo.Remember(prefix, state, snapshot);
            }

            return state;
        }
        catch
        {
            // A connection that failed mid-read is not trusted again.
            await lease.DisposeAsync();
            throw;
        }
    }

    // A stat per request was a third of the SQLite read's cost; the file is looked for once per interval instead.
    private bool StoreFileCheckDue()
    {
        var seenAt = Volatile.Read(ref _storeFileSeenAt);
        return seenAt == long.MinValue || time.GetElapsedTime(seenAt) >= StoreFileCheckInterval;
    }

    /// <summary>Closes the connections kept open.</summary>
    public void Dispose()
    {
        List<Waiter> orphaned;
        lock (_gate)
        {
            _disposed = true;
            orphaned = _waiting;
            _waiting = [];
        }

        foreach (var waiter in orphaned)
        {
            waiter.Result.TrySetException(new ObjectDisposedException(nameof(TokenStateReader)));
        }

        while (_idle.TryDequeue(out var lease))
        {
            lease.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        Interlocked.Exchange(ref _memo, null)?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _initialize.Dispose();
    }

    private static TokenState Read(DbDataReader reader) => new(
        reader.GetGuid(0), reader.GetString(1), ReadInstant(reader, 2), ReadInstant(reader, 3), ReadInstant(reader, 4),
        reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7));

    private static DateTimeOffset? ReadInstant(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal) switch
        {
            // SQLite: UTC ticks (TokensDbContext's converter); PostgreSQL: timestamptz.
            long ticks => new DateTimeOffset(ticks, TimeSpan.Zero),
            DateTimeOffset instant => instant.ToUniversalTime(),
            DateTime instant => new DateTimeOffset(DateTime.SpecifyKind(instant, DateTimeKind.Utc)),
            var other => throw new InvalidCastException($"Unexpected instant type {other.GetType().Name} in the token store."),
        };

    private async ValueTask<Lease> RentAsync(CancellationToken cancellationToken)
    {
        if (_idle.TryDequeue(out var lease))
        {
            return lease;
        }

        var plan = _plan ?? await InitializeAsync(cancellationToken);
        var connection = plan.Factory.CreateConnection()!;
        try
        {
            connection.ConnectionString = plan.ConnectionString;
            await connection.OpenAsync(cancellationToken);
            var command = connection.CreateCommand();
            command.CommandText = plan.Sql;
            var parameter = command.CreateParameter();
            if (plan.Batched)
            {
                // A string[] is sent as text[] (Npgsql infers the array type from the CLR type).
                parameter.ParameterName = "@prefixes";
                parameter.Value = Array.Empty<string>();
            }
            else
            {
                parameter.ParameterName = "@prefix";
                parameter.DbType = DbType.String;
                parameter.Value = string.Empty;
            }

            command.Parameters.Add(parameter);
            await command.PrepareAsync(cancellationToken);
            return new Lease(connection, command, parameter);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private void Return(Lease lease)
    {
        if (!_disposed && _idle.Count < MaxIdle)
        {
            _idle.Enqueue(lease);
        }
        else
        {
            lease.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private async ValueTask<Plan> InitializeAsync(CancellationToken cancellationToken)
    {
        await _initialize.WaitAsync(cancellationToken);
        try
        {
            if (_plan is not null)
            {
                return _plan;
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TokensDbContext>();
            var entity = db.Model.FindEntityType(typeof(PersonalAccessToken))!;
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var owner = db.Model.FindEntityType(typeof(ApplicationUser))!;
            var ownerTable = StoreObjectIdentifier.Table(owner.GetTableName()!, owner.GetSchema());
            var sql = db.GetService<ISqlGenerationHelper>();
            string Column(string property) => "t." + sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(table)!);
            string OwnerColumn(string property) => "u." + sql.DelimitIdentifier(owner.FindProperty(property)!.GetColumnName(ownerTable)!);

            // The owner's row is joined by its primary key: one more index probe in the same statement. An inner
            // join is exact here: the foreign key guarantees every token row has its owner's row.
            var batched = db.Database.IsNpgsql();
            var text = $"SELECT {Column(nameof(PersonalAccessToken.Id))}, {Column(nameof(PersonalAccessToken.Hash))}, "
                + $"{Column(nameof(PersonalAccessToken.RevokedAt))}, {Column(nameof(PersonalAccessToken.ExpiresAt))}, "
                + $"{OwnerColumn(nameof(ApplicationUser.DisabledAt))}, {Column(nameof(PersonalAccessToken.Prefix))}, "
                + $"{Column(nameof(PersonalAccessToken.SecretSha256))}, {Column(nameof(PersonalAccessToken.UserId))} "
                + $"FROM {sql.DelimitIdentifier(table.Name, table.Schema)} AS t "
                + $"INNER JOIN {sql.DelimitIdentifier(ownerTable.Name, ownerTable.Schema)} AS u "
                + $"ON {OwnerColumn(nameof(ApplicationUser.Id))} = {Column(nameof(PersonalAccessToken.UserId))} "
                + (batched
                    ? $"WHERE {Column(nameof(PersonalAccessToken.Prefix))} = ANY(@prefixes)"
                    : $"WHERE {Column(nameof(PersonalAccessToken.Prefix))} = @prefix");
            var connection = db.Database.GetDbConnection();
            var connectionString = db.Database.GetConnectionString() ?? connection.ConnectionString;
            string? sqliteFile = null;
            if (db.Database.IsSqlite())
            {
                var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
                sqliteFile = builder.DataSource is ":memory:" || string.IsNullOrEmpty(builder.DataSource) ? null : Path.GetFullPath(builder.DataSource);

                // This reader never creates the store: a connection opened while the file is away fails (503)
                // instead of leaving an empty database in its place.
                if (sqliteFile is not null && builder.Mode == Microsoft.Data.Sqlite.SqliteOpenMode.ReadWriteCreate)
                {
                    builder.Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadWrite;
                    connectionString = builder.ConnectionString;
                }
            }

            var factory = DbProviderFactories.GetFactory(connection) ?? throw new InvalidOperationException("The token store's provider has no DbProviderFactory.");
            if (sqliteFile is not null)
            {
                _memo = await SqliteStateMemo.TryOpenAsync(factory, connectionString, cancellationToken);
            }

            _plan = new Plan(factory, connectionString, text, sqliteFile, batched);
            return _plan;
        }
        finally
        {
            _initialize.Release();
        }
    }

    private sealed record Plan(DbProviderFactory Factory, string ConnectionString, string Sql, string? SqliteFile, bool Batched);

    private sealed class Waiter(string prefix)
    {
        public string Prefix { get; } = prefix;

        // Completed by whichever request runs the batch: continuations must not run inline on its loop.
        public TaskCompletionSource<TokenState?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Lease(DbConnection connection, DbCommand command, DbParameter prefix) : IAsyncDisposable
    {
        public DbCommand Command { get; } = command;

        public DbParameter Prefix { get; } = prefix;

        public async ValueTask DisposeAsync()
        {
            await Command.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}

/// <summary>The SQLite store file is missing (deleted or moved away while the host runs); answered as 503.</summary>
internal sealed class TokenStoreMissingException : DbException
{
    /// <summary>Creates the exception with a fixed message.</summary>
    public TokenStoreMissingException()
        : base("The token store's database file is missing.")
    {
    }
}
