namespace PfnStudio.Cli;

/// <summary>
/// A failure the CLI reports as one line on standard error and an exit code (<see cref="ExitCodes"/>).
/// The message is written for the user and never contains the token.
/// </summary>
/// <param name="exitCode">The process exit code.</param>
/// <param name="message">One line for standard error.</param>
#pragma warning disable CA1032 // Not a general-purpose exception: it always carries an exit code.
internal sealed class CliFailure(int exitCode, string message) : Exception(message)
#pragma warning restore CA1032
{
    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = exitCode;
}
