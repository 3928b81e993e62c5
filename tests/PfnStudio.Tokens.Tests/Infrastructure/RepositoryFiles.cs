namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>Files of the repository the tests run from (docs, scripts, rule files).</summary>
internal static class RepositoryFiles
{
    /// <summary>The repository root: the nearest folder above the test binaries that holds PfnStudio.Tokens.sln.</summary>
    public static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PfnStudio.Tokens.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root (PfnStudio.Tokens.sln) was not found.");
    }

    /// <summary>The full path of <paramref name="parts"/> under the repository root.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root(), .. parts]);
}
