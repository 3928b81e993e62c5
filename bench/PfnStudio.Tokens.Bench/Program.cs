using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Data.Sqlite;

namespace PfnStudio.Tokens.Bench;

/// <summary>
/// The benchmark driver (bench/README.md). Starts two benchmark hosts (a store with one token, a store with
/// 20,000), then measures, in interleaved rounds, one trivial endpoint under anonymous, JwtBearer and PAT
/// authentication, PAT with 20,000 tokens in the store and PAT under a flood of wrong tokens; then cold
/// first use and revoke-to-401 (in-process and cross-process). Writes a markdown report.
/// </summary>
internal static class Program
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> Main(string[] args)
    {
        var options = BenchOptions.Parse(args);
        var work = Directory.CreateTempSubdirectory("pfnstudio-bench-").FullName;
        var report = new StringBuilder();
        try
        {
            Console.WriteLine($"Starting two benchmark hosts (stores with 1 and {options.StoreTokens:N0} tokens) in {work} …");
            await using var single = await BenchHostProcess.StartAsync(options.HostDll, work, "one-token", 0);
            await using var large = await BenchHostProcess.StartAsync(options.HostDll, work, "many-tokens", options.StoreTokens - 1);
            // PostgreSQL: the empty database bench/run created on its throwaway cluster (the host's migration fills it).
            await using var postgres = options.Postgres is { } server
                ? await BenchHostProcess.StartAsync(options.HostDll, work, "postgres", 0, server)
                : null;

            var jwt = await single.Client.GetStringAsync(new Uri("/bench/jwt-token", UriKind.Relative));
            var pat = await IssueAsync(single, "warm");
            var pat20k = await IssueAsync(large, "warm");
            var tokenCount = await CountTokensAsync(large.DatabasePath);

            var files = new Dictionary<string, string>
            {
                ["anonymous"] = await WriteLinesAsync(work, "anonymous.txt", "-"),
                ["jwt"] = await WriteLinesAsync(work, "jwt.txt", jwt),
                ["pat"] = await WriteLinesAsync(work, "pat.txt", pat.Token),
                ["pat20k"] = await WriteLinesAsync(work, "pat20k.txt", pat20k.Token),
            };
            if (postgres is not null)
            {
                files["pgjwt"] = await WriteLinesAsync(work, "pgjwt.txt", await postgres.Client.GetStringAsync(new Uri("/bench/jwt-token", UriKind.Relative)));
                files["pgpat"] = await WriteLinesAsync(work, "pgpat.txt", (await IssueAsync(postgres, "warm")).Token);
            }

            // The distributed flood's pool: half random secrets behind the warm token's live prefix, half random prefixes.
            var floodPool = (await ForgeAsync(single, pat.Prefix, 25_000)).Concat(await ForgeAsync(single, null, 25_000)).ToList();
            var tokensLua = Path.Combine(options.LuaDirectory, "tokens.lua");
            var floodLua = Path.Combine(options.LuaDirectory, "flood.lua");

            var scenarios = new List<Scenario>
            {
                new("anonymous", "1. anonymous (ceiling)", single, "/bench/anonymous", files["anonymous"], Flood: false),
                new("jwt", "2. JwtBearer, symmetric key", single, "/bench/jwt", files["jwt"], Flood: false),
                new("pat", "3. PAT, warm, 1 token in store", single, "/bench/pat", files["pat"], Flood: false),
                new("pat20k", $"4. PAT, warm, {tokenCount:N0} tokens in store", large, "/bench/pat", files["pat20k"], Flood: false),
                new("flood", "5. PAT, warm, during a wrong-token flood", single, "/bench/pat", files["pat"], Flood: true),
                new("dflood", $"6. PAT, warm, during a flood from {options.FloodAddresses} addresses", single, "/bench/pat", files["pat"], Flood: false, Distributed: true),
            };
            if (postgres is not null)
            {
                scenarios.Add(new("pgjwt", "7. JwtBearer, host on PostgreSQL", postgres, "/bench/jwt", files["pgjwt"], Flood: false));
                scenarios.Add(new("pgpat", "8. PAT, warm, PostgreSQL store", postgres, "/bench/pat", files["pgpat"], Flood: false));
            }

            // First uses (Argon2 once per token per process) and JIT happen here, not in a measured round.
            Console.WriteLine($"Warm-up: {options.WarmupSeconds} s per scenario …");
            foreach (var scenario in scenarios)
            {
                await RunScenarioAsync(scenario, options, options.WarmupSeconds, tokensLua, floodLua, pat.Prefix, floodPool);
            }

            var results = scenarios.ToDictionary(s => s.Key, _ => new List<Measurement>());
            var loadBefore = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            for (var round = 0; round < options.Rounds; round++)
            {
                // Interleaved, and the order rotates each round so no scenario always runs first or last.
                for (var i = 0; i < scenarios.Count; i++)
                {
                    var scenario = scenarios[(i + round) % scenarios.Count];
                    var m = await RunScenarioAsync(scenario, options, options.Seconds, tokensLua, floodLua, pat.Prefix, floodPool);
                    results[scenario.Key].Add(m);
                    Console.WriteLine(string.Create(Inv,
                        $"round {round + 1}/{options.Rounds} {scenario.Key,-9} {m.Valid.RequestsPerSecond,9:F0} req/s  p50 {m.Valid.P50Ms,7:F2} ms  p99 {m.Valid.P99Ms,7:F2} ms  peak {m.PeakWorkingSetBytes / 1048576.0,6:F0} MiB  non-2xx {m.Valid.Non2xx}{(m.FloodStatuses is null ? "" : $"  flood: {m.FloodRequests} req ({m.FloodStatuses})")}{(m.FirstUses is null ? "" : $"  first uses: {m.FirstUses.Count} p99 {Percentile(m.FirstUses.Select(f => f.Milliseconds), 0.99):F0} ms, argon2 {m.Argon2Runs}")}"));
                }
            }

            var loadAfter = File.ReadAllText("/proc/loadavg").Split(' ')[0];

            Console.WriteLine("Cold first use …");
            var cold = await MeasureColdFirstUseAsync(single);
            Console.WriteLine("Point reads …");
            var pointReadOne = MeasurePointRead(single.DatabasePath, pat.Prefix);
            var pointReadMany = MeasurePointRead(large.DatabasePath, pat20k.Prefix);
            Console.WriteLine("Revoke to 401 …");
            var revokeInProcess = await MeasureRevokeAsync(single, "revoke-service", token =>
                single.Client.PostAsync(new Uri($"/bench/tokens/{token.Id}/revoke", UriKind.Relative), null));
            var revokeCrossProcess = await MeasureRevokeAsync(single, "revoke-sql", token => RevokeBySqlAsync(single.DatabasePath, token.Prefix));
            var revokePostgres = postgres is null ? null : await MeasureRevokeAsync(postgres, "revoke-service", token =>
                postgres.Client.PostAsync(new Uri($"/bench/tokens/{token.Id}/revoke", UriKind.Relative), null));
            Console.WriteLine("Refusal timing …");
            var refusals = await MeasureRefusalsAsync(single, pat.Prefix);

            WriteReport(report, options, scenarios, results, cold, pointReadOne, pointReadMany, tokenCount,
                revokeInProcess, revokeCrossProcess, revokePostgres, refusals, loadBefore, loadAfter);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        Directory.CreateDirectory(options.OutputDirectory);
        var path = Path.Combine(options.OutputDirectory, $"{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
        await File.WriteAllTextAsync(path, report.ToString());
        Console.WriteLine();
        Console.WriteLine($"Report written to {path}");
        Console.WriteLine();
        Console.Write(report.ToString());
        return 0;
    }

    private static async Task<Measurement> RunScenarioAsync(
        Scenario scenario, BenchOptions options, int seconds, string tokensLua, string floodLua, string floodPrefix, List<string> floodPool)
    {
        // The fresh tokens whose first use is timed during the distributed flood are issued before it: issuing hashes
        // each one with Argon2 in the host, which is not what is measured and would take a quarter of its CPU.
        var freshTokens = new Queue<IssuedToken>();
        if (scenario.Distributed)
        {
            for (var i = 0; i < FirstUsesIn(TimeSpan.FromSeconds(seconds)); i++)
            {
                freshTokens.Enqueue(await IssueAsync(scenario.Host, $"fresh-{Guid.NewGuid():N}"[..30]));
            }
        }

        using var sampling = new CancellationTokenSource();
        long peak = 0;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, scenario.Host.WorkingSetBytes());
                try
                {
                    await Task.Delay(50, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        var valid = Wrk.RunAsync(scenario.Host.Url(scenario.Path), tokensLua, scenario.TokenFile, options.Connections, seconds);
        Task<string>? flood = scenario.Flood
            ? Wrk.RunAsync(scenario.Host.Url(scenario.Path), floodLua, floodPrefix, options.FloodConnections, seconds)
            : null;
        Task<FloodCounts>? distributed = null;
        Task<List<FirstUse>>? firstUses = null;
        Stats? statsBefore = null;
        if (scenario.Distributed)
        {
            statsBefore = await scenario.Host.Client.GetFromJsonAsync<Stats>(new Uri("/bench/stats", UriKind.Relative));
            distributed = DistributedFlood.RunAsync(scenario.Host.Url(scenario.Path), floodPool, options.FloodAddresses, options.FloodRatePerAddress, TimeSpan.FromSeconds(seconds));
            firstUses = MeasureFirstUsesAsync(scenario.Host, freshTokens, TimeSpan.FromSeconds(seconds));
        }

        var validOutput = await valid;
        var floodOutput = flood is null ? null : await flood;
        var distributedCounts = distributed is null ? null : await distributed;
        var fresh = firstUses is null ? null : await firstUses;
        long argon2Runs = 0;
        if (statsBefore is not null)
        {
            // Each fresh token's first use is one Argon2 verification; anything beyond came from the flood.
            var after = await scenario.Host.Client.GetFromJsonAsync<Stats>(new Uri("/bench/stats", UriKind.Relative));
            argon2Runs = after!.Argon2Verifications - statsBefore.Argon2Verifications - fresh!.Count(f => f.Status == HttpStatusCode.OK);
        }

        await sampling.CancelAsync();
        await sampler;
        if (distributedCounts is not null)
        {
            return new Measurement(Wrk.Parse(validOutput), peak, distributedCounts.Requests, distributedCounts.Statuses, fresh, argon2Runs);
        }

        string? statuses = null;
        long floodRequests = 0;
        if (floodOutput is not null)
        {
            var line = floodOutput.Split('\n').First(l => l.StartsWith("FLOOD ", StringComparison.Ordinal));
            var parts = line[6..].Split(' ').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            floodRequests = long.Parse(parts["requests"], Inv);
            statuses = parts["statuses"];
        }

        return new Measurement(Wrk.Parse(validOutput), peak, floodRequests, statuses);
    }

    private static async Task<List<string>> ForgeAsync(BenchHostProcess host, string? prefix, int count) =>
        (await host.Client.GetFromJsonAsync<List<string>>(new Uri($"/bench/forge?prefix={prefix}&count={count}", UriKind.Relative)))!;

    private static readonly TimeSpan FirstUseInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How many fresh tokens <see cref="MeasureFirstUsesAsync"/> can use in a round of this length, at most.</summary>
    private static int FirstUsesIn(TimeSpan duration) => (int)Math.Ceiling(duration / FirstUseInterval);

    /// <summary>
    /// While a flood runs: every 250 ms the first use (Argon2 once) of one of the tokens issued before the round, timed from
    /// 127.0.0.3.
    /// </summary>
    private static async Task<List<FirstUse>> MeasureFirstUsesAsync(BenchHostProcess host, Queue<IssuedToken> tokens, TimeSpan duration)
    {
        var uses = new List<FirstUse>();
        using var handler = BenchHostProcess.HandlerFrom(IPAddress.Parse("127.0.0.3"));
        using var client = new HttpClient(handler) { BaseAddress = host.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var deadline = Stopwatch.StartNew();

        while (deadline.Elapsed < duration - TimeSpan.FromMilliseconds(500) && tokens.TryDequeue(out var token))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/bench/pat", UriKind.Relative));
            request.Headers.Authorization = new("Bearer", token.Token);
            var started = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(request);
            uses.Add(new FirstUse(Stopwatch.GetElapsedTime(started).TotalMilliseconds, response.StatusCode));

            await Task.Delay(FirstUseInterval);
        }

        return uses;
    }

    /// <summary>
    /// Median time of a refusal for an unknown prefix, a revoked token and a wrong secret behind a live prefix: 41 of
    /// each, interleaved, each from its own source address (127.0.7.N, so no address reaches its failure limit) on a
    /// new connection, and each token presented once (a token refused once is answered from memory after).
    /// </summary>
    private static async Task<Refusals> MeasureRefusalsAsync(BenchHostProcess host, string livePrefix)
    {
        const int samples = 41;
        var unknown = await ForgeAsync(host, null, samples);
        var wrong = await ForgeAsync(host, livePrefix, samples);
        var revoked = new List<string>();
        for (var i = 0; i < samples; i++)
        {
            var token = await IssueAsync(host, $"refusal-{i}");
            using var revoke = await host.Client.PostAsync(new Uri($"/bench/tokens/{token.Id}/revoke", UriKind.Relative), null);
            revoke.EnsureSuccessStatusCode();
            revoked.Add(token.Token);
        }

        var times = new Dictionary<string, List<double>> { ["unknown"] = [], ["revoked"] = [], ["wrong"] = [] };
        var address = 0;
        async Task TimeAsync(string kind, string token)
        {
            var source = new IPAddress([127, 0, (byte)(7 + (address / 250)), (byte)(1 + (address % 250))]);
            address++;
            using var handler = BenchHostProcess.HandlerFrom(source, maxConnections: 1);
            using var client = new HttpClient(handler) { BaseAddress = host.Client.BaseAddress };
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/bench/pat", UriKind.Relative));
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            var started = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(request);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                throw new InvalidOperationException($"A {kind} token answered {(int)response.StatusCode}, not 401.");
            }

            times[kind].Add(elapsed);
        }

        for (var i = 0; i < samples; i++)
        {
            await TimeAsync("unknown", unknown[i]);
            await TimeAsync("revoked", revoked[i]);
            await TimeAsync("wrong", wrong[i]);
        }

        return new Refusals(Median(times["unknown"]), Median(times["revoked"]), Median(times["wrong"]));
    }

    private static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static async Task<IssuedToken> IssueAsync(BenchHostProcess host, string name)
    {
        using var response = await host.Client.PostAsync(new Uri($"/bench/tokens?name={name}", UriKind.Relative), null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<IssuedToken>())!;
    }

    private static async Task<string> WriteLinesAsync(string directory, string name, params string[] lines)
    {
        var path = Path.Combine(directory, name);
        await File.WriteAllLinesAsync(path, lines);
        return path;
    }

    private static async Task<long> CountTokensAsync(string databasePath)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM \"PersonalAccessTokens\"";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<ColdResult> MeasureColdFirstUseAsync(BenchHostProcess host)
    {
        var token = await IssueAsync(host, "cold");
        var before = await host.Client.GetFromJsonAsync<Stats>(new Uri("/bench/stats", UriKind.Relative));
        var first = await TimedGetAsync(host, token.Token);
        var after = await host.Client.GetFromJsonAsync<Stats>(new Uri("/bench/stats", UriKind.Relative));
        var second = await TimedGetAsync(host, token.Token);
        var third = await TimedGetAsync(host, token.Token);
        return new ColdResult(first.Milliseconds, first.Status, after!.Argon2Verifications - before!.Argon2Verifications,
            after.Argon2LastVerificationMs, Math.Min(second.Milliseconds, third.Milliseconds));
    }

    private static async Task<(double Milliseconds, HttpStatusCode Status)> TimedGetAsync(BenchHostProcess host, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/bench/pat", UriKind.Relative));
        request.Headers.Authorization = new("Bearer", token);
        var started = Stopwatch.GetTimestamp();
        using var response = await host.Client.SendAsync(request);
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, response.StatusCode);
    }

    /// <summary>Mean time of one prepared point read by prefix (the hot path's per-request query), in µs, best of five passes.</summary>
    private static double MeasurePointRead(string databasePath, string prefix)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Id\", \"Hash\", \"RevokedAt\", \"ExpiresAt\" FROM \"PersonalAccessTokens\" WHERE \"Prefix\" = @prefix";
        var parameter = command.Parameters.Add("@prefix", SqliteType.Text);
        parameter.Value = prefix;
        command.Prepare();
        // The best of several passes: the machine is shared, and the question is what the read itself costs.
        const int iterations = 20_000;
        var best = double.MaxValue;
        for (var pass = 0; pass < 6; pass++)
        {
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < iterations; i++)
            {
                using var reader = command.ExecuteReader();
                if (!reader.Read() || reader.GetString(1).Length == 0)
                {
                    throw new InvalidOperationException("The point read found no row.");
                }
            }

            if (pass > 0)
            {
                best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalMicroseconds / iterations);
            }
        }

        return best;
    }

    private static async Task<HttpResponseMessage> RevokeBySqlAsync(string databasePath, string prefix)
    {
        // Another process than the host writes the revocation, as an operator's command or a second host would.
        await using var connection = new SqliteConnection($"Data Source={databasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE \"PersonalAccessTokens\" SET \"RevokedAt\" = @now WHERE \"Prefix\" = @prefix AND \"RevokedAt\" IS NULL";
        command.Parameters.AddWithValue("@now", DateTimeOffset.UtcNow.UtcTicks);
        command.Parameters.AddWithValue("@prefix", prefix);
        var updated = await command.ExecuteNonQueryAsync();
        return new HttpResponseMessage(updated == 1 ? HttpStatusCode.NoContent : HttpStatusCode.NotFound);
    }

    private static async Task<RevokeResult> MeasureRevokeAsync(
        BenchHostProcess host, string name, Func<IssuedToken, Task<HttpResponseMessage>> revoke)
    {
        var token = await IssueAsync(host, name);
        // Valid callers connect from 127.0.0.2 (see BenchHostProcess.ValidCallerHandler).
        using var handler = BenchHostProcess.ValidCallerHandler();
        using var client = new HttpClient(handler) { BaseAddress = host.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.Token);
        using (var warm = await client.GetAsync(new Uri("/bench/pat", UriKind.Relative)))
        {
            warm.EnsureSuccessStatusCode();
        }

        var calls = new ConcurrentBag<(long Started, HttpStatusCode Status)>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(new Uri("/bench/pat", UriKind.Relative));
                calls.Add((started, response.StatusCode));
            }
        })).ToList();

        await Task.Delay(1500);
        using (var revoked = await revoke(token))
        {
            if (revoked.StatusCode != HttpStatusCode.NoContent)
            {
                throw new InvalidOperationException($"Revoke answered {(int)revoked.StatusCode}.");
            }
        }

        var revokeReturned = Stopwatch.GetTimestamp();
        await Task.Delay(1500);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        var before = calls.Count(c => c.Started < revokeReturned && c.Status == HttpStatusCode.OK);
        var after = calls.Where(c => c.Started > revokeReturned).ToList();
        return new RevokeResult(before, after.Count, after.Count(c => c.Status == HttpStatusCode.OK),
            after.Count(c => c.Status == HttpStatusCode.Unauthorized));
    }

    private static void WriteReport(
        StringBuilder r, BenchOptions options, List<Scenario> scenarios, Dictionary<string, List<Measurement>> results,
        ColdResult cold, double pointReadOne, double pointReadMany, long tokenCount,
        RevokeResult revokeInProcess, RevokeResult revokeCrossProcess, RevokeResult? revokePostgres, Refusals refusals,
        string loadBefore, string loadAfter)
    {
        double Rps(string key) => Median(results[key].Select(m => m.Valid.RequestsPerSecond));
        double P99(string key) => Median(results[key].Select(m => m.Valid.P99Ms));
        string F(double value, string format = "F2") => value.ToString(format, Inv);

        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memory = File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim();
        r.AppendLine(CultureInfo.InvariantCulture, $"# PAT hot path benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        r.AppendLine();
        r.AppendLine(CultureInfo.InvariantCulture,
            $"Machine: {Environment.ProcessorCount} × {cpu}, {memory} RAM, {Environment.OSVersion}, .NET {Environment.Version}; load average {loadBefore} before the rounds, {loadAfter} after (the machine is shared: other processes' load is noise in every figure).");
        r.AppendLine(CultureInfo.InvariantCulture,
            $"Load: wrk 4.1, 1 thread, {options.Connections} connections per scenario (the flood: a second wrk with {options.FloodConnections} connections), {options.Rounds} interleaved rounds × {options.Seconds} s after a {options.WarmupSeconds} s warm-up; host in Release on loopback, SQLite store (WAL), Argon2id m=19456 KiB, t=2, p=1. Figures in the table are medians over the rounds; ratios are medians of per-round ratios.");
        r.AppendLine();
        r.AppendLine("| scenario | req/s | p50 ms | p99 ms | peak working set MiB | non-2xx (valid caller) | req/s per round |");
        r.AppendLine("|---|---:|---:|---:|---:|---:|---|");
        foreach (var s in scenarios)
        {
            var ms = results[s.Key];
            r.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.Title} | {F(Rps(s.Key), "F0")} | {F(Median(ms.Select(m => m.Valid.P50Ms)))} | {F(P99(s.Key))} | {F(ms.Max(m => m.PeakWorkingSetBytes) / 1048576.0, "F0")} | {ms.Sum(m => m.Valid.Non2xx + m.Valid.SocketErrors)} | {string.Join(" / ", ms.Select(m => F(m.Valid.RequestsPerSecond, "F0")))} |");
        }

        var flood = results["flood"];
        r.AppendLine();
        r.AppendLine(CultureInfo.InvariantCulture,
            $"Flood (second client, random 20-character secrets on the warm token's own prefix): {string.Join(" / ", flood.Select(m => string.Create(Inv, $"{m.FloodRequests / (double)options.Seconds:F0} req/s ({m.FloodStatuses})")))} per round.");
        r.AppendLine();
        r.AppendLine(CultureInfo.InvariantCulture,
            $"Cold first use of a new token: {F(cold.FirstMs, "F1")} ms (status {(int)cold.FirstStatus}), {cold.Argon2Verifications} Argon2 verification(s), the last taking {F(cold.Argon2Ms, "F1")} ms; the next call {F(cold.NextMs, "F2")} ms.");
        r.AppendLine(CultureInfo.InvariantCulture,
            $"Prepared point read by prefix on SQLite (the per-request revocation check, measured in the driver on the same files): {F(pointReadOne)} µs with 1 token, {F(pointReadMany)} µs with {tokenCount:N0}.");
        r.AppendLine(CultureInfo.InvariantCulture,
            $"Revoke to 401, through the host's token service: {revokeInProcess.SuccessesBefore} successes before, {revokeInProcess.CallsAfter} calls started after revoke returned: {revokeInProcess.SuccessesAfter} successes, {revokeInProcess.UnauthorizedAfter} × 401.");
        if (revokePostgres is not null)
        {
            r.AppendLine(CultureInfo.InvariantCulture,
                $"Revoke to 401 on the PostgreSQL host, through its token service: {revokePostgres.SuccessesBefore} successes before, {revokePostgres.CallsAfter} calls started after revoke returned: {revokePostgres.SuccessesAfter} successes, {revokePostgres.UnauthorizedAfter} × 401.");
        }

        var dflood = results["dflood"];
        var allFirstUses = dflood.SelectMany(m => m.FirstUses!).ToList();
        var firstUseP99 = Percentile(allFirstUses.Select(f => f.Milliseconds), 0.99);
        var firstUse503 = allFirstUses.Count(f => f.Status == HttpStatusCode.ServiceUnavailable);
        var firstUseNot200 = allFirstUses.Count(f => f.Status != HttpStatusCode.OK);
        var wrongArgon2 = dflood.Sum(m => m.Argon2Runs);
        r.AppendLine(CultureInfo.InvariantCulture,
            $"Distributed flood ({options.FloodAddresses} source addresses 127.0.5.x, one connection each, at most {options.FloodRatePerAddress} req/s each, well-formed wrong tokens: random secrets behind the warm token's live prefix and random prefixes): {string.Join(" / ", dflood.Select(m => string.Create(Inv, $"{m.FloodRequests / (double)options.Seconds:F0} req/s ({m.FloodStatuses})")))} per round; fresh tokens' first uses during it: {allFirstUses.Count}, p50 {F(Percentile(allFirstUses.Select(f => f.Milliseconds), 0.5), "F0")} ms, p99 {F(firstUseP99, "F0")} ms, {firstUseNot200} not 200 ({firstUse503} × 503); Argon2 verifications beyond those first uses: {wrongArgon2}.");
        var spread = Math.Max(refusals.UnknownMs, Math.Max(refusals.RevokedMs, refusals.WrongSecretMs)) / Math.Min(refusals.UnknownMs, Math.Min(refusals.RevokedMs, refusals.WrongSecretMs));
        r.AppendLine(CultureInfo.InvariantCulture,
            $"Refusal timing (medians of 41 each, new connection from its own address, each token once): unknown prefix {F(refusals.UnknownMs)} ms, revoked {F(refusals.RevokedMs)} ms, wrong secret {F(refusals.WrongSecretMs)} ms; spread {F(spread)}.");
        r.AppendLine(CultureInfo.InvariantCulture,
            $"Revoke to 401, by an SQL UPDATE from another process: {revokeCrossProcess.SuccessesBefore} successes before, {revokeCrossProcess.CallsAfter} calls started after the UPDATE returned: {revokeCrossProcess.SuccessesAfter} successes, {revokeCrossProcess.UnauthorizedAfter} × 401.");

        // Ratios are paired within each round (the scenarios of one round ran seconds apart), then the median
        // over rounds is taken: slow swings in the shared machine's load cancel out better than in a ratio of medians.
        double Ratio(string numerator, string denominator, Func<Measurement, double> figure) =>
            Median(results[numerator].Zip(results[denominator], (n, d) => figure(n) / figure(d)));
        double RoundRatios(string numerator, string denominator) => Ratio(numerator, denominator, m => m.Valid.RequestsPerSecond);
        var patJwt = RoundRatios("pat", "jwt");
        var patAnonymous = RoundRatios("pat", "anonymous");
        var floodKeeps = RoundRatios("flood", "pat");
        var manyVsOne = RoundRatios("pat20k", "pat");
        var p99Ratio = Ratio("pat", "jwt", m => m.Valid.P99Ms);
        string PerRound(string numerator, string denominator) => string.Join(" / ",
            results[numerator].Zip(results[denominator], (n, d) => F(n.Valid.RequestsPerSecond / d.Valid.RequestsPerSecond)));
        var peakFlood = flood.Max(m => m.PeakWorkingSetBytes) / 1048576.0;
        var floodValid5xx = flood.Sum(m => m.Valid.Non2xx + m.Valid.SocketErrors);
        var revokedSuccesses = revokeInProcess.SuccessesAfter + revokeCrossProcess.SuccessesAfter + (revokePostgres?.SuccessesAfter ?? 0);
        var dfloodKeeps = RoundRatios("dflood", "pat");
        var dfloodP99 = Median(dflood.Select(m => m.Valid.P99Ms));
        var dfloodNon2xx = dflood.Sum(m => m.Valid.Non2xx + m.Valid.SocketErrors);
        var peakDflood = dflood.Max(m => m.PeakWorkingSetBytes) / 1048576.0;
        var pg = results.ContainsKey("pgpat");
        var pgRatio = pg ? RoundRatios("pgpat", "pgjwt") : double.NaN;
        var pgP99 = pg ? Ratio("pgpat", "pgjwt", m => m.Valid.P99Ms) : double.NaN;
        string Met(bool met) => met ? "met" : "**missed**";

        r.AppendLine();
        r.AppendLine(CultureInfo.InvariantCulture,
            $"Throughput ratios per round (the figures below are their medians): PAT/JWT {PerRound("pat", "jwt")}; PAT/anonymous {PerRound("pat", "anonymous")}; {tokenCount:N0} tokens/1 token {PerRound("pat20k", "pat")}; flood/unloaded {PerRound("flood", "pat")}.");
        r.AppendLine();
        r.AppendLine("| target | result | |");
        r.AppendLine("|---|---|---|");
        r.AppendLine(CultureInfo.InvariantCulture, $"| warm PAT ≥ 1.0 × JwtBearer throughput | {F(patJwt)} × | {Met(patJwt >= 1.0)} |");
        r.AppendLine(CultureInfo.InvariantCulture, $"| warm PAT p99 ≤ JwtBearer p99 | {F(p99Ratio)} × | {Met(p99Ratio <= 1.0)} |");
        if (pg)
        {
            r.AppendLine(CultureInfo.InvariantCulture, $"| PostgreSQL: warm PAT ≥ 0.8 × JwtBearer (same host, same round) | {F(pgRatio)} × | {Met(pgRatio >= 0.8)} |");
            r.AppendLine(CultureInfo.InvariantCulture, $"| PostgreSQL: warm PAT p99 ≤ 2 × JwtBearer p99 | {F(pgP99)} × | {Met(pgP99 <= 2.0)} |");
        }
        else
        {
            r.AppendLine(CultureInfo.InvariantCulture, $"| PostgreSQL scenarios | skipped: {options.PostgresSkipped ?? "no --postgres given"} | |");
        }

        r.AppendLine(CultureInfo.InvariantCulture, $"| distributed flood: valid callers keep ≥ 0.8 × | {F(dfloodKeeps)} × | {Met(dfloodKeeps >= 0.8)} |");
        r.AppendLine(CultureInfo.InvariantCulture, $"| distributed flood: valid p99 ≤ 10 ms, zero non-2xx | {F(dfloodP99)} ms, {dfloodNon2xx} | {Met(dfloodP99 <= 10 && dfloodNon2xx == 0)} |");
        r.AppendLine(CultureInfo.InvariantCulture, $"| distributed flood: fresh first use p99 ≤ 500 ms, never 503 | {F(firstUseP99, "F0")} ms, {firstUse503} × 503 | {Met(firstUseP99 <= 500 && firstUse503 == 0)} |");
        r.AppendLine(CultureInfo.InvariantCulture, $"| distributed flood: 0 Argon2 runs for wrong secrets | {wrongArgon2} | {Met(wrongArgon2 == 0)} |");
        r.AppendLine(CultureInfo.InvariantCulture, $"| distributed flood: peak working set < 1 GiB | {F(peakDflood, "F0")} MiB | {Met(peakDflood < 1024)} |");
        r.AppendLine(CultureInfo.InvariantCulture, $"| refusal timing spread ≤ 1.5 | {F(spread)} | {Met(spread <= 1.5)} |");
        r.AppendLine(CultureInfo.InvariantCulture, $"| {tokenCount:N0} tokens within 10 % of 1 token | {F(manyVsOne)} × | {Met(Math.Abs(manyVsOne - 1) <= 0.1)} |");
        r.AppendLine(CultureInfo.InvariantCulture, $"| flood: valid callers keep ≥ 0.5 × | {F(floodKeeps)} × | {Met(floodKeeps >= 0.5)} |");
        r.AppendLine(CultureInfo.InvariantCulture, $"| flood: no 5xx (nor other non-2xx) for valid callers | {floodValid5xx} | {Met(floodValid5xx == 0)} |");
        r.AppendLine(CultureInfo.InvariantCulture, $"| flood: peak working set < 1 GiB | {F(peakFlood, "F0")} MiB | {Met(peakFlood < 1024)} |");
        r.AppendLine(CultureInfo.InvariantCulture, $"| cold first use: one Argon2 verification | {cold.Argon2Verifications} ({F(cold.Argon2Ms, "F1")} ms) | {Met(cold.Argon2Verifications == 1 && cold.FirstStatus == HttpStatusCode.OK)} |");
        r.AppendLine(CultureInfo.InvariantCulture, $"| revoke-to-401: 0 successes after revoke returned | {revokedSuccesses} | {Met(revokedSuccesses == 0)} |");
        r.AppendLine();
        r.AppendLine(CultureInfo.InvariantCulture, $"PAT/JWT throughput: {F(patJwt)}");
        r.AppendLine(CultureInfo.InvariantCulture, $"PAT/anonymous throughput: {F(patAnonymous)}");
        r.AppendLine(CultureInfo.InvariantCulture, $"flood keeps: {F(floodKeeps)}");
        r.AppendLine(CultureInfo.InvariantCulture, $"revoked successes: {revokedSuccesses}");
        r.AppendLine(pg ? string.Create(Inv, $"PG PAT/JWT throughput: {F(pgRatio)}") : $"PG PAT/JWT throughput: skipped ({options.PostgresSkipped ?? "no --postgres given"})");
        r.AppendLine(CultureInfo.InvariantCulture, $"distributed flood keeps: {F(dfloodKeeps)}");
        r.AppendLine(CultureInfo.InvariantCulture, $"distributed flood first-use p99 ms: {F(firstUseP99, "F0")}");
        r.AppendLine(CultureInfo.InvariantCulture, $"argon2 runs for wrong secrets: {wrongArgon2}");
        r.AppendLine(CultureInfo.InvariantCulture, $"refusal timing spread: {F(spread)}");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed record Scenario(string Key, string Title, BenchHostProcess Host, string Path, string TokenFile, bool Flood, bool Distributed = false);

    private sealed record Measurement(
        WrkResult Valid, long PeakWorkingSetBytes, long FloodRequests, string? FloodStatuses, List<FirstUse>? FirstUses = null, long Argon2Runs = 0);

    private sealed record FirstUse(double Milliseconds, HttpStatusCode Status);

    private sealed record Refusals(double UnknownMs, double RevokedMs, double WrongSecretMs);

    private sealed record IssuedToken(Guid Id, string Prefix, string Token);

    private sealed record Stats(long Argon2Verifications, double Argon2LastVerificationMs, int VerifiedTokens, long PeakWorkingSetBytes);

    private sealed record ColdResult(double FirstMs, HttpStatusCode FirstStatus, long Argon2Verifications, double Argon2Ms, double NextMs);

    private sealed record RevokeResult(int SuccessesBefore, int CallsAfter, int SuccessesAfter, int UnauthorizedAfter);
}

/// <summary>Command-line options of the driver; bench/run passes the paths.</summary>
internal sealed record BenchOptions(
    string HostDll, string LuaDirectory, string OutputDirectory, int Rounds, int Seconds, int WarmupSeconds,
    int Connections, int FloodConnections, int StoreTokens, string? Postgres, string? PostgresSkipped,
    int FloodAddresses, int FloodRatePerAddress)
{
    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        string Get(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required.");
        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new BenchOptions(
            Get("host"), Get("lua"), Get("out"),
            Int("rounds", 5), Int("seconds", 8), Int("warmup", 3), Int("connections", 32), Int("flood-connections", 32),
            Int("store-tokens", 20_000),
            values.GetValueOrDefault("postgres"), values.GetValueOrDefault("postgres-skipped"),
            Int("flood-addresses", 200), Int("flood-rate", 25));
    }
}
