using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace PfnStudio.Tokens.Bench;

/// <summary>What a distributed flood's connections got back.</summary>
/// <param name="Requests">Requests answered.</param>
/// <param name="Statuses">Status code → count, e.g. "401=1200 429=40000".</param>
internal sealed record FloodCounts(long Requests, string Statuses);

/// <summary>
/// A flood of well-formed wrong tokens from many source addresses at once (wrk cannot bind its connections):
/// one connection per address, each bound to its own 127.0.5.N, each sending at most <c>ratePerAddress</c>
/// requests per second, drawing from a pool of wrong tokens (random secrets behind a live prefix, and random
/// prefixes). The rate cap keeps the driver, which shares the host's cores, from measuring itself.
/// </summary>
internal static class DistributedFlood
{
    /// <summary>The source address of flood connection <paramref name="index"/> (0-based): 127.0.5.1 onwards.</summary>
    public static IPAddress Address(int index) => new([127, 0, (byte)(5 + (index / 250)), (byte)(1 + (index % 250))]);

    public static async Task<FloodCounts> RunAsync(Uri url, IReadOnlyList<string> pool, int addresses, int ratePerAddress, TimeSpan duration)
    {
        var statuses = new ConcurrentDictionary<int, long>();
        long requests = 0;
        using var stop = new CancellationTokenSource(duration);
        var interval = TimeSpan.FromSeconds(1.0 / ratePerAddress);
        var loops = Enumerable.Range(0, addresses).Select(i => Task.Run(async () =>
        {
            using var handler = BenchHostProcess.HandlerFrom(Address(i), maxConnections: 1);
            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
            var random = new Random(i);
            var next = Stopwatch.GetTimestamp();
            while (!stop.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + pool[random.Next(pool.Count)]);
                try
                {
                    using var response = await client.SendAsync(request, stop.Token);
                    statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                    Interlocked.Increment(ref requests);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (HttpRequestException)
                {
                    statuses.AddOrUpdate(0, 1, (_, n) => n + 1);
                }

                next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        })).ToList();
        await Task.WhenAll(loops);
        return new FloodCounts(Interlocked.Read(ref requests),
            string.Join(' ', statuses.OrderBy(kv => kv.Key).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{(kv.Key == 0 ? "error" : kv.Key.ToString(CultureInfo.InvariantCulture))}={kv.Value}"))));
    }
}
