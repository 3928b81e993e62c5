using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using PfnStudio.Tokens.PersonalAccessTokens;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>Counts the host's Argon2 verifications through its own meter (what an operator's metrics would show).</summary>
internal sealed class Argon2Count : IDisposable
{
    private readonly MetricCollector<long> _computations;

    private Argon2Count(TokensApplication app) =>
        _computations = new MetricCollector<long>(
            app.Services.GetRequiredService<IMeterFactory>(), Argon2idTokenHasher.MeterName, "pfnstudio.tokens.argon2.computations");

    public static Argon2Count Start(TokensApplication app) => new(app);

    public int Verifications => _computations.GetMeasurementSnapshot()
        .Count(m => m.Tags.TryGetValue("operation", out var operation) && Equals(operation, "verify"));

    /// <summary>Argon2id hashes computed (tokens issued) since <see cref="Start"/>.</summary>
    public int Hashes => _computations.GetMeasurementSnapshot()
        .Count(m => m.Tags.TryGetValue("operation", out var operation) && Equals(operation, "hash"));

    public void Dispose() => _computations.Dispose();
}

internal static class HotPathExtensions
{
    /// <summary>
    /// The token's prefix with another, valid-looking secret: the shape an attacker who saw the prefix would send. A
    /// current token gets a matching checksum (so it reaches the store read, as a crafted one would); a legacy token
    /// stays legacy-shaped.
    /// </summary>
    public static string WithWrongSecret(this string token, int seed)
    {
        var secret = string.Concat(Enumerable.Range(0, 20).Select(i => PersonalAccessTokenFormat.Alphabet[(seed * 7 + i * 13) % 62]));
        var legacy = token[..26] + secret;
        return token.Length == PersonalAccessTokenFormat.LegacyTokenLength ? legacy : PersonalAccessTokenFormat.WithChecksum(legacy);
    }

    public static async Task<HttpResponseMessage> GetMeAsync(this TokensApplication app, string token)
    {
        using var client = app.CreateClientWithToken(token);
        return await client.GetAsync("/api/v1/me");
    }

    public static async Task<HttpStatusCode> StatusOfMeAsync(this TokensApplication app, string token)
    {
        using var response = await app.GetMeAsync(token);
        return response.StatusCode;
    }

    /// <summary>Revokes like another process would: its own connection to the store file, plain SQL, no host service.</summary>
    public static Task RevokeFromAnotherConnectionAsync(this TokensApplication app, string token, DateTimeOffset at) =>
        app.UpdateOneRowFromAnotherConnectionAsync(
            "UPDATE \"PersonalAccessTokens\" SET \"RevokedAt\" = @at WHERE \"Prefix\" = @key", at, token[14..26]);

    /// <summary>
    /// Runs <paramref name="sql"/> (parameters <c>@at</c> and <c>@key</c>) on a connection of its own, plain SQL, no
    /// host service, and asserts it changed exactly one row.
    /// </summary>
    public static async Task UpdateOneRowFromAnotherConnectionAsync(this TokensApplication app, string sql, DateTimeOffset at, string key)
    {
        await using var connection = await app.OpenSeparateConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var atParameter = command.CreateParameter();
        atParameter.ParameterName = "@at";
        atParameter.Value = TokensApplication.IsPostgres ? at : at.UtcTicks; // SQLite stores instants as UTC ticks
        command.Parameters.Add(atParameter);
        var keyParameter = command.CreateParameter();
        keyParameter.ParameterName = "@key";
        keyParameter.Value = key;
        command.Parameters.Add(keyParameter);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    /// <summary>Waits (real time, at most 10 s) for a background effect such as a batch write.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for: {what}");
            await Task.Delay(20);
        }
    }
}
