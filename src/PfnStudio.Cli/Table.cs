using System.Globalization;
using PfnStudio.Cli.Output;

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

    /// <summary>
    /// Adds a row; it must have one cell per header. Cells hold server data (names, e-mail addresses), so each
    /// has its control characters escaped: a tab, carriage return or escape sequence cannot break the table.
    /// </summary>
    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"A row needs {headers.Length} cells, not {cells.Length}.", nameof(cells));
        }

        _rows.Add(cells.Select(TerminalText.Safe).ToArray());
    }

    /// <summary>The number of rows added.</summary>
    public int Count => _rows.Count;

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

    /// <summary>
    /// A column of numbers with <paramref name="decimals"/> digits after the point (<c>0.500000</c>), so the
    /// points line up; the whole column in scientific notation (<c>1.234560e-09</c>) when fixed would show every
    /// value as zero, or a value reaches 10^12.
    /// </summary>
    public static string[] FixedColumn(IReadOnlyList<double> values, int decimals)
    {
        var largest = values.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
        var scientific = largest >= 1e12 || (largest > 0 && largest < Math.Pow(10, -decimals) / 2);
        var format = scientific
            ? (decimals == 0 ? "0" : "0." + new string('0', decimals)) + "e+00"
            : "F" + decimals.ToString(CultureInfo.InvariantCulture);
        return values.Select(v => double.IsFinite(v) ? WithoutNegativeZero(v.ToString(format, CultureInfo.InvariantCulture)) : v.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    // -4e-22 at 6 decimals is "-0.000000": no sign on a zero.
    private static string WithoutNegativeZero(string text) => text.StartsWith('-') && text.Skip(1).All(c => c is '0' or '.') ? text[1..] : text;

    /// <summary>An integer in invariant culture.</summary>
    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
