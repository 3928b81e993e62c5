using System.Collections.Concurrent;
using System.Data.Common;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace PfnStudio.Tokens.PersonalAccessTokens.Verification;

/// <summary>
/// Token states read from a SQLite store in write-ahead-log mode, each valid only while no connection — in this
/// process or any other — has committed anything since it was read. Whether anything was committed is told by the
/// store's WAL-index header (the first 96 bytes of its <c>-shm</c> file, mapped read-only): SQLite rewrites it on
/// every commit, before the commit returns (frame count, change counter, salts and checksums; see
/// https://sqlite.org/walformat.html §2.1). So a request whose header matches the one taken before a state was read
/// sees exactly what a new read would, without running a statement.
/// <para>
/// Rules that keep it exact: the header is taken <em>before</em> the statement whose result is remembered (a commit
/// in between changes the header, so the result is never served under an older header than the one it may be
/// newer than); a header read while a writer was updating it (its two copies differ, or it is not initialized)
/// serves and remembers nothing; an unknown prefix is never remembered (a flood of random prefixes cannot fill
/// it); at most <see cref="Capacity"/> states per header. An <em>anchor</em> connection stays open for the memo's
/// lifetime: while it is open SQLite neither deletes nor truncates the <c>-shm</c> file nor leaves WAL mode (a
/// WAL-mode connection holds a shared lock on the database), so the mapping stays the live one.
/// </para>
/// <para>
/// Unsupported, as they are for SQLite itself: writers that open the file with <c>nolock</c> or <c>immutable</c>
/// URIs, or in exclusive locking mode, and replacing the database file while the host runs.
/// </para>
/// </summary>
internal sealed class SqliteStateMemo : IAsyncDisposable
{
    /// <summary>Most states remembered under one header; more are read each time until the next commit.</summary>
    public const int Capacity = 10_000;

    // WAL-index header: two 48-byte copies at offsets 0 and 48; iVersion (u32) at 0, isInit (u8) at 12.
    private const int HeaderBytes = 48;
    private const int WalIndexVersion = 3007000;

    // The -shm file's descriptors and mappings are never closed: on POSIX systems closing any descriptor of a file
    // releases every fcntl lock this process holds on it, SQLite's own included. Kept reachable so no finalizer does.
    private static readonly ConcurrentBag<object> KeptOpen = [];

    private readonly DbConnection _anchor;
    private readonly IntPtr _header;
    private Generation? _current;
    private volatile bool _disposed;

    private SqliteStateMemo(DbConnection anchor, IntPtr header)
    {
        _anchor = anchor;
        _header = header;
    }

    /// <summary>
    /// Opens the anchor connection and maps the store's WAL index, or returns <see langword="null"/> (states are then
    /// read on every request) when the store is not in WAL mode or its <c>-shm</c> file cannot be mapped.
    /// </summary>
    public static async Task<SqliteStateMemo?> TryOpenAsync(DbProviderFactory factory, string connectionString, CancellationToken cancellationToken)
    {
        var anchor = factory.CreateConnection()!;
        SqliteStateMemo? memo = null;
        try
        {
            anchor.ConnectionString = connectionString;
            await anchor.OpenAsync(cancellationToken);

            // Reading the schema starts a read transaction, which maps the WAL index (and takes SQLite's lock that
            // keeps the -shm file in place); the file name is SQLite's own, with symbolic links resolved.
            var journalMode = await ScalarAsync(anchor, "PRAGMA journal_mode", cancellationToken);
            await ScalarAsync(anchor, "SELECT count(*) FROM sqlite_master", cancellationToken);
            var file = await ScalarAsync(anchor, "SELECT file FROM pragma_database_list WHERE name = 'main'", cancellationToken);
            if (!string.Equals(journalMode as string, "wal", StringComparison.OrdinalIgnoreCase) || file is not string { Length: > 0 } path)
            {
                return null;
            }

            var shm = new FileStream(path + "-shm", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            KeptOpen.Add(shm);
            if (shm.Length < 2 * HeaderBytes)
            {
                return null;
            }

            var map = MemoryMappedFile.CreateFromFile(shm, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            var view = map.CreateViewAccessor(0, 2 * HeaderBytes, MemoryMappedFileAccess.Read);
            KeptOpen.Add(map);
            KeptOpen.Add(view);
            var mapped = new SqliteStateMemo(anchor, view.SafeMemoryMappedViewHandle.DangerousGetHandle() + (nint)view.PointerOffset);
            memo = mapped.TryReadHeader(out _) ? mapped : null;
            return memo;
        }
        catch (Exception ex) when (ex is DbException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
        finally
        {
            // Without a memo nothing needs the anchor.
            if (memo is null)
            {
                await anchor.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Looks for the state of <paramref name="prefix"/> remembered under the current header. Either way
    /// <paramref name="snapshot"/> is the header as it is now, to pass to <see cref="Remember"/> with the state a
    /// statement then reads.
    /// </summary>
    public bool TryGet(string prefix, out TokenState? state, out Snapshot snapshot)
    {
        state = null;
        if (_disposed || !TryReadHeader(out var header))
        {
            snapshot = default;
            return false;
        }

        var current = Volatile.Read(ref _current);
        if (current is null || current.Header != header)
        {
            // Something was committed: everything remembered is dropped at once.
            var next = new Generation(header);
            current = Interlocked.CompareExchange(ref _current, next, current) == current ? next : Volatile.Read(ref _current);
        }

        snapshot = new Snapshot(header, true);
        if (current is not null && current.Header == header && current.States.TryGetValue(prefix, out var remembered))
        {
            state = remembered;
            return true;
        }

        return false;
    }

    /// <summary>Remembers a state a statement read after <paramref name="snapshot"/> was taken by <see cref="TryGet"/>.</summary>
    public void Remember(string prefix, TokenState state, Snapshot snapshot)
    {
        var current = Volatile.Read(ref _current);
        if (snapshot.Taken && current is not null && current.Header == snapshot.Header && current.States.Count < Capacity)
        {
            current.States.TryAdd(prefix, state);
        }
    }

    /// <summary>Closes the anchor connection; the mapping stays (see <see cref="KeptOpen"/>) and is not read again.</summary>
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        Volatile.Write(ref _current, null);
        return _anchor.DisposeAsync();
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    // SQLite's own reader does the same (walIndexTryHdr): copy 0, barrier, copy 1; a writer writes copy 1, barrier,
    // copy 0, so equal copies are one whole header.
    private bool TryReadHeader(out Header header)
    {
        header = ReadCopy(0);
        Interlocked.MemoryBarrier();
        var second = ReadCopy(HeaderBytes);
        return header == second
            && Marshal.ReadInt32(_header, 0) == WalIndexVersion
            && Marshal.ReadByte(_header, 12) != 0;
    }

    private Header ReadCopy(int offset) => new(
        Marshal.ReadInt64(_header, offset), Marshal.ReadInt64(_header, offset + 8), Marshal.ReadInt64(_header, offset + 16),
        Marshal.ReadInt64(_header, offset + 24), Marshal.ReadInt64(_header, offset + 32), Marshal.ReadInt64(_header, offset + 40));

    /// <summary>One WAL-index header, as six 64-bit words.</summary>
    internal readonly record struct Header(long W0, long W1, long W2, long W3, long W4, long W5);

    /// <summary>The header when a request looked, or not <see cref="Taken"/> when it could not be read whole.</summary>
    internal readonly record struct Snapshot(Header Header, bool Taken);

    private sealed class Generation(Header header)
    {
        public Header Header { get; } = header;

        public ConcurrentDictionary<string, TokenState> States { get; } = new(StringComparer.Ordinal);
    }
}
