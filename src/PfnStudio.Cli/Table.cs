using System.Globalization;

namespace PfnStudio.Cli;

/// <summary>
/// An aligned text table: a header row of upper-case column names, then one row per item, columns separated by
/// two spaces and padded to the widest cell; numeric columns are right-aligned. No trailing spaces.
/// </summary>
internal sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];
    private readonly HashSet<int> _rightAligned = [];

    /// <summary>Right-aligns the columns at <paramref name="columns"/> (zero-based).</summary>
    public Table AlignRight(params int[] columns)
    {
        _rightAligned.UnionWith(columns);
        return this;
    }

    /// <summary>Adds a row; it must have one cell per header.</summary>
    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"A row needs {headers.Length} cells, not {cells.Length}.", nameof(cells));
        }

        _rows.Add(cells);
    }

    /// <summary>Writes the header and the rows.</summary>
    public async Task WriteAsync(TextWriter output)
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in _rows.Prepend(headers))
        {
            var cells = row.Select((cell, i) => _rightAligned.Contains(i) ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]));
            await output.WriteLineAsync(string.Join("  ", cells).TrimEnd());
        }
    }

    /// <summary>An instant as <c>2026-11-29 12:00:00Z</c> (UTC).</summary>
    public static string Instant(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A number in invariant culture, to 10 significant digits.</summary>
    public static string Number(double value) => value.ToString("G10", CultureInfo.InvariantCulture);

    /// <summary>An integer in invariant culture.</summary>
    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
