using System.Text.Json;
using System.Text.Json.Serialization;

namespace PfnStudio.Cli.Configuration;

/// <summary>What <c>pfnstudio auth login</c> saves: the server and the token for it.</summary>
internal sealed record SavedLogin(string Url, string Token);

/// <summary>
/// The CLI's config file, <c>$XDG_CONFIG_HOME/pfnstudio/config.json</c> (else <c>~/.config/pfnstudio/config.json</c>;
/// on Windows without HOME, <c>%APPDATA%\pfnstudio\config.json</c>). It holds a token, so it is created with mode
/// 0600 in a folder created with 0700, and replaced atomically (a temporary file in the same folder, then a rename):
/// a reader never sees half a file, and a crash never leaves a world-readable one.
/// </summary>
internal sealed class ConfigFile
{
    private ConfigFile(string path) => Path = path;

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>The folder holding it.</summary>
    public string Directory => System.IO.Path.GetDirectoryName(Path)!;

    /// <summary>
    /// The config file for <paramref name="environment"/>, or null when the environment names no home at all
    /// (then there is no saved login). Only the given environment is read, never the process's.
    /// </summary>
    public static ConfigFile? Locate(IReadOnlyDictionary<string, string> environment)
    {
        // The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored.
        if (environment.GetValueOrDefault("XDG_CONFIG_HOME") is { Length: > 0 } xdg && System.IO.Path.IsPathFullyQualified(xdg))
        {
            return new ConfigFile(System.IO.Path.Combine(xdg, "pfnstudio", "config.json"));
        }

        if (environment.GetValueOrDefault("HOME") is { Length: > 0 } home && System.IO.Path.IsPathFullyQualified(home))
        {
            return new ConfigFile(System.IO.Path.Combine(home, ".config", "pfnstudio", "config.json"));
        }

        if (OperatingSystem.IsWindows() && environment.GetValueOrDefault("APPDATA") is { Length: > 0 } appData)
        {
            return new ConfigFile(System.IO.Path.Combine(appData, "pfnstudio", "config.json"));
        }

        return null;
    }

    /// <summary>The saved login, or null when the file does not exist.</summary>
    /// <exception cref="CliFailure">The file exists but cannot be read or is not a login (<see cref="ExitCodes.Usage"/>).</exception>
    public SavedLogin? Read()
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(Path))
            {
                return null;
            }

            bytes = File.ReadAllBytes(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure(ExitCodes.Usage, $"cannot read the config file {Path}: {ApiClient.OneLine(ex.Message)}");
        }

        try
        {
            var body = JsonSerializer.Deserialize(bytes, ConfigJsonContext.Default.ConfigBody);
            if (body is { Url: { Length: > 0 } url, Token: { Length: > 0 } token })
            {
                return new SavedLogin(url, token);
            }
        }
        catch (JsonException)
        {
            // Reported below, without the parser's message: it could quote the token.
        }

        throw new CliFailure(ExitCodes.Usage,
            $"the config file {Path} is not a saved login (url and token); run 'pfnstudio auth logout' to remove it, then 'pfnstudio auth login'");
    }

    /// <summary>Replaces the file with <paramref name="login"/> (0600, folder 0700, atomically).</summary>
    /// <exception cref="CliFailure">The folder or file cannot be written (<see cref="ExitCodes.Usage"/>).</exception>
    public void Write(SavedLogin login)
    {
        var temporary = System.IO.Path.Combine(Directory, $".config.json.{Guid.NewGuid():N}.tmp");
        try
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(Directory);
            }
            else
            {
                System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                // Created with 0600 (less the umask), never readable by others even for a moment.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            var json = JsonSerializer.SerializeToUtf8Bytes(new ConfigBody { Url = login.Url, Token = login.Token }, ConfigJsonContext.Default.ConfigBody);
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(json);
                stream.Write("\n"u8);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new CliFailure(ExitCodes.Usage, $"cannot write the config file {Path}: {ApiClient.OneLine(ex.Message)}");
        }
    }

    /// <summary>Deletes the file; false when there was none.</summary>
    /// <exception cref="CliFailure">It exists and cannot be deleted (<see cref="ExitCodes.Usage"/>).</exception>
    public bool Delete()
    {
        try
        {
            if (!File.Exists(Path))
            {
                return false;
            }

            File.Delete(Path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure(ExitCodes.Usage, $"cannot delete the config file {Path}: {ApiClient.OneLine(ex.Message)}");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the temporary file is 0600 and holds nothing another user can read.
        }
    }
}

/// <summary>The file's JSON.</summary>
internal sealed class ConfigBody
{
    /// <summary>The server's base URL.</summary>
    public string? Url { get; init; }

    /// <summary>The personal access token for that server.</summary>
    public string? Token { get; init; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(ConfigBody))]
internal sealed partial class ConfigJsonContext : JsonSerializerContext;
