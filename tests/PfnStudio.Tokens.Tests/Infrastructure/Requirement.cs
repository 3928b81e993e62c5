namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>
/// What a test needs from the machine (Chromium, PostgreSQL, a program on PATH). Absent locally, the test is skipped
/// with the reason; with <c>CI=true</c>, where <c>.ci/run</c> installs it, the test fails instead.
/// </summary>
internal static class Requirement
{
    /// <summary>Skips the calling test with <paramref name="reason"/>, or fails it on CI.</summary>
    public static void Unmet(string reason)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(reason + " CI=true, so this test must run.");
        }

        Assert.Skip(reason);
    }

    /// <summary>The full path of <paramref name="program"/> on PATH; otherwise <see cref="Unmet"/>.</summary>
    public static string OnPath(string program, string reason)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            Unmet(reason);
        }

        return path!;
    }
}
