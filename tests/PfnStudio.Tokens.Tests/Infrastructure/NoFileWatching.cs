using System.Runtime.CompilerServices;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>
/// Test hosts and the host binaries the tests start read their settings once and watch no file.
/// </summary>
/// <remarks>
/// Every host built by <c>WebApplication.CreateBuilder</c> watches its appsettings files by default, and the
/// pages' <c>asp-append-version</c> watches <c>wwwroot</c>: an inotify instance each, and Linux allows 128 per user. Both test projects, Chromium and the binaries started by the
/// tests share that budget; when it ran out, hosts failed to build with "The configured user limit (128) on the
/// number of inotify instances has been reached". No test changes a settings file while a host runs, so nothing
/// is lost; the polling watcher stands in where something still asks to watch. Child processes inherit both.
/// </remarks>
internal static class NoFileWatching
{
    [ModuleInitializer]
    internal static void Apply()
    {
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
    }
}
