using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using AngleSharp.Html.Dom;
using Microsoft.Data.Sqlite;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.SqliteOnly.Faults;

/// <summary>
/// The real host binary, killed with SIGKILL in a loop while a person issues and revokes tokens on the page.
/// After every restart: each token whose plaintext was shown works, each revoke that was confirmed holds, and
/// the SQLite database (WAL) opens cleanly.
/// </summary>
public sealed class KillLoopTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pfnstudio-kill-").FullName;

    [Fact]
    public async Task NothingShownOrConfirmedIsLostWhenTheHostIsKilledMidFlow()
    {
        var shown = new List<(string Name, string Token)>();
        var revoked = new HashSet<string>(StringComparer.Ordinal);
        var attempted = new HashSet<string>(StringComparer.Ordinal); // revokes whose answer was cut off: either outcome is fine
        var cookies = new CookieContainer();
        var issued = 0;

        for (var round = 0; round < 4; round++)
        {
            using var host = await HostProcess.StartAsync(_directory);
            using var browser = new BrowserSession(new HttpClient(new HttpClientHandler { CookieContainer = cookies })
            {
                BaseAddress = host.BaseAddress,
                Timeout = TimeSpan.FromSeconds(30),
            });
            if (round == 0)
            {
                await browser.SignUpAsync("kill@example.com");
            }

            await AssertStoreMatchesAsync(host.BaseAddress, shown, revoked, attempted);

            // A person keeps issuing and revoking until the process dies under them.
            int ShownCount()
            {
                lock (shown)
                {
                    return shown.Count;
                }
            }

            var shownBefore = ShownCount();
            var worker = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var name = $"token {issued++}";
                        var page = await browser.IssueOnPageAsync(name, issued % 2 == 0 ? "30" : "");
                        if (page.RevealedToken() is { } token)
                        {
                            lock (shown)
                            {
                                shown.Add((name, token));
                            }
                        }

                        if (issued % 3 == 0 && shown.Count > 0)
                        {
                            var victim = shown[Random.Shared.Next(shown.Count)].Name;
                            lock (attempted)
                            {
                                attempted.Add(victim);
                            }

                            if (await RevokeAsync(browser, victim))
                            {
                                lock (revoked)
                                {
                                    revoked.Add(victim);
                                }
                            }
                        }
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    // The host was killed mid-request: whatever had no complete answer proves nothing.
                }
            });

            // The kill waits for what the round needs (one token shown), however slow the machine, then lands
            // at a random point of the flow that follows.
            var deadline = Stopwatch.StartNew();
            while (ShownCount() == shownBefore && !worker.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(20);
            }

            await Task.Delay(Random.Shared.Next(900));
            host.Kill();
            await worker;
        }

        using (var host = await HostProcess.StartAsync(_directory))
        {
            await AssertStoreMatchesAsync(host.BaseAddress, shown, revoked, attempted);
        }

        Assert.True(shown.Count >= 4, $"only {shown.Count} tokens were issued before the kills");
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "kill.db")}");
        await connection.OpenAsync();
        await using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", await check.ExecuteScalarAsync());
    }

    private static async Task AssertStoreMatchesAsync(
        Uri baseAddress, List<(string Name, string Token)> shown, HashSet<string> revoked, HashSet<string> attempted)
    {
        using var client = new HttpClient { BaseAddress = baseAddress };
        foreach (var (name, token) in shown.ToList())
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request);
            if (attempted.Contains(name) && !revoked.Contains(name))
            {
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized, $"{name}: got {response.StatusCode}");
                continue;
            }

            var expected = revoked.Contains(name) ? HttpStatusCode.Unauthorized : HttpStatusCode.OK;
            Assert.True(expected == response.StatusCode, $"{name}: expected {expected}, got {response.StatusCode}");
        }
    }

    private static async Task<bool> RevokeAsync(BrowserSession browser, string name)
    {
        var page = await browser.GetAsync("/api-tokens");
        var row = page.Document.QuerySelectorAll("table.tokens tbody tr")
            .FirstOrDefault(r => r.QuerySelector("td.name")?.TextContent.Trim() == name);
        if (row?.QuerySelector("form") is not IHtmlFormElement form)
        {
            return false; // already revoked, or not listed
        }

        var answer = await browser.PostAsync(page, form, BrowserSession.FormFields(form));
        return answer.Text("p.notice").Contains("revoked", StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The published host (<c>dotnet PfnStudio.Tokens.dll</c>) on a free loopback port.</summary>
    private sealed class HostProcess : IDisposable
    {
        private readonly Process _process;

        private HostProcess(Process process, Uri baseAddress)
        {
            _process = process;
            BaseAddress = baseAddress;
        }

        public Uri BaseAddress { get; }

        public static async Task<HostProcess> StartAsync(string directory)
        {
            var (process, baseAddress) = await HostBinary.StartServingAsync(start =>
            {
                start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
                start.Environment["ConnectionStrings__Sqlite"] = $"Data Source={Path.Combine(directory, "kill.db")}";
                start.Environment["Argon2__MemoryKiB"] = "64";
                start.Environment["Argon2__Iterations"] = "1";
                start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
            });
            return new HostProcess(process, baseAddress);
        }

        /// <summary>SIGKILL: no shutdown hooks, no flushing.</summary>
        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }
    }
}
