using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>
/// Runs a test's action once, just before the next EF Core query whose SQL contains a given text is sent: what
/// another process or request would do at that very moment (e.g. revoke a token between the hot path's state read and
/// its whole-row read). Registered on every <see cref="TokensApplication"/>; idle unless armed.
/// </summary>
internal sealed class CommandHook : DbCommandInterceptor
{
    private Armed? _armed;

    /// <summary>Runs <paramref name="action"/> before the next query whose SQL contains <paramref name="sqlContains"/>.</summary>
    public void Arm(string sqlContains, Func<Task> action) => Volatile.Write(ref _armed, new Armed(sqlContains, action));

    /// <summary>Whether the armed action has run.</summary>
    public bool Fired { get; private set; }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        var armed = Volatile.Read(ref _armed);
        if (armed is not null && command.CommandText.Contains(armed.SqlContains, StringComparison.Ordinal)
            && Interlocked.CompareExchange(ref _armed, null, armed) == armed)
        {
            await armed.Action();
            Fired = true;
        }

        return result;
    }

    private sealed record Armed(string SqlContains, Func<Task> Action);
}
