using System.Text;

namespace PfnStudio.Cli.Output;

/// <summary>
/// The last line of defence on standard output and error: every string written has the token redacted
/// (<see cref="TokenRedactor"/>) and control characters escaped (<see cref="TerminalText.SafeLines"/>), whatever
/// path it took. The CLI writes whole lines, so an echo is never split across two writes.
/// </summary>
internal sealed class SafeWriter(TextWriter inner, TokenRedactor redactor) : TextWriter
{
    /// <inheritdoc />
    public override Encoding Encoding => inner.Encoding;

    /// <inheritdoc />
    public override string NewLine
    {
        get => inner.NewLine;
#pragma warning disable CS8765 // The base property allows null; the inner writer decides.
        set => inner.NewLine = value;
#pragma warning restore CS8765
    }

    /// <inheritdoc />
    public override void Write(char value) => Write(value.ToString());

    /// <inheritdoc />
    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    /// <inheritdoc />
    public override void Write(string? value) => inner.Write(Clean(value));

    /// <inheritdoc />
    public override void WriteLine(string? value) => inner.WriteLine(Clean(value));

    /// <inheritdoc />
    public override void WriteLine() => inner.WriteLine();

    /// <inheritdoc />
    public override Task WriteAsync(char value) => WriteAsync(value.ToString());

    /// <inheritdoc />
    public override Task WriteAsync(string? value) => inner.WriteAsync(Clean(value));

    /// <inheritdoc />
    public override Task WriteLineAsync(string? value) => inner.WriteLineAsync(Clean(value));

    /// <inheritdoc />
    public override Task WriteLineAsync() => inner.WriteLineAsync();

    /// <inheritdoc />
    public override void Flush() => inner.Flush();

    /// <inheritdoc />
    public override Task FlushAsync() => inner.FlushAsync();

    private string Clean(string? value) => TerminalText.SafeLines(redactor.Redact(value ?? string.Empty));
}
