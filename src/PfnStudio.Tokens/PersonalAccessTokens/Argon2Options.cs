using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace PfnStudio.Tokens.PersonalAccessTokens;

/// <summary>
/// Argon2id cost parameters for new token hashes, bound from the <c>Argon2</c> configuration section
/// and validated at start. Defaults are OWASP's recommendation (m=19456 KiB, t=2, p=1). Existing hashes
/// carry their own parameters (PHC string), so raising these later does not break issued tokens.
/// </summary>
internal sealed class Argon2Options
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Argon2";

    /// <summary>Memory cost in KiB (the PHC <c>m</c> parameter). At least 8 × <see cref="Parallelism"/>.</summary>
    [Range(8, 1_048_576, ErrorMessage = "Argon2:MemoryKiB must be between {1} and {2} KiB.")]
    public int MemoryKiB { get; set; } = 19_456;

    /// <summary>Number of passes over memory (the PHC <c>t</c> parameter).</summary>
    [Range(1, 16, ErrorMessage = "Argon2:Iterations must be between {1} and {2}.")]
    public int Iterations { get; set; } = 2;

    /// <summary>Degree of parallelism (the PHC <c>p</c> parameter).</summary>
    [Range(1, 16, ErrorMessage = "Argon2:Parallelism must be between {1} and {2}.")]
    public int Parallelism { get; set; } = 1;

    /// <summary>Salt length in bytes.</summary>
    [Range(16, 64, ErrorMessage = "Argon2:SaltBytes must be between {1} and {2} bytes.")]
    public int SaltBytes { get; set; } = 16;

    /// <summary>Hash output length in bytes.</summary>
    [Range(16, 64, ErrorMessage = "Argon2:HashBytes must be between {1} and {2} bytes.")]
    public int HashBytes { get; set; } = 32;

    /// <summary>
    /// How many Argon2 computations may run at once in this process; further ones wait. Bounds memory to
    /// about <c>MaxConcurrentHashes × MemoryKiB</c>. 0 means <c>max(1, processors − 1)</c>, so one core is always
    /// left to the warm path however many first uses arrive at once.
    /// </summary>
    [Range(0, 256, ErrorMessage = "Argon2:MaxConcurrentHashes must be between {1} and {2}.")]
    public int MaxConcurrentHashes { get; set; }

    /// <summary>
    /// The global budget of verifications (first uses of tokens not yet verified in this process) per second,
    /// across all callers; beyond it a first use waits (up to <see cref="QueueTimeoutMilliseconds"/>) and then
    /// gets 503. 0 means <c>5 × slots</c>, about two thirds of what the slots can compute at the default cost,
    /// so however many valid tokens someone holds, their first uses leave time to the warm path.
    /// </summary>
    [Range(0, 100_000, ErrorMessage = "Argon2:VerificationsPerSecond must be between {1} and {2}.")]
    public int VerificationsPerSecond { get; set; }

    /// <summary>How long a verification waits for the budget and a free slot before the caller gets 503, in milliseconds.</summary>
    [Range(1, 60_000, ErrorMessage = "Argon2:QueueTimeoutMilliseconds must be between {1} and {2} ms.")]
    public int QueueTimeoutMilliseconds { get; set; } = 5_000;
}

/// <summary>Rules across <see cref="Argon2Options"/> settings that annotations cannot state.</summary>
internal sealed class Argon2OptionsValidator : IValidateOptions<Argon2Options>
{
    public ValidateOptionsResult Validate(string? name, Argon2Options options) =>
        options.MemoryKiB < 8 * options.Parallelism
            ? ValidateOptionsResult.Fail(
                $"Argon2:MemoryKiB must be at least 8 × Argon2:Parallelism ({8 * options.Parallelism}); it is {options.MemoryKiB}.")
            : ValidateOptionsResult.Success;
}
