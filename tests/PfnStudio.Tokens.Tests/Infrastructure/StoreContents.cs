using System.Text;
using Microsoft.Data.Sqlite;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>Reads back what a test store holds, to prove that no secret reached it.</summary>
internal static class StoreContents
{
    /// <summary>Everything the store holds, as text: the SQLite files byte for byte, or every PostgreSQL row.</summary>
    internal static async Task<List<string>> StoredTextAsync(TokensApplication app)
    {
        var texts = new List<string>();
        if (!TokensApplication.IsPostgres)
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(app.DatabasePath)!, "tokens.db*"))
            {
                var bytes = await File.ReadAllBytesAsync(file);
                texts.Add(Encoding.Latin1.GetString(bytes));
                texts.Add(Encoding.Unicode.GetString(bytes));
            }

            return texts;
        }

        await using var connection = await app.OpenSeparateConnectionAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("PersonalAccessTokens", tables);
        foreach (var table in tables)
        {
            await using var dump = connection.CreateCommand();
            dump.CommandText = $"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM \"{table}\" t";
            texts.Add((string)(await dump.ExecuteScalarAsync())!);
        }

        return texts;
    }
}
