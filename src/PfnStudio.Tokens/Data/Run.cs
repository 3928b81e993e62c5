namespace PfnStudio.Tokens.Data;

/// <summary>
/// One call of the Predict API on a project, recorded whatever its outcome. The key is a store-generated
/// increasing number, so "newest first" and the paging cursor need no timestamp ties broken.
/// </summary>
internal sealed class Run
{
    /// <summary>Largest length of <see cref="Error"/>.</summary>
    public const int ErrorMaxLength = 500;

    /// <summary>Store-generated, increasing identifier.</summary>
    public long Id { get; set; }

    /// <summary>The project.</summary>
    public Guid ProjectId { get; set; }

    /// <summary>The model spec's name, or <c>gp</c> for the default model.</summary>
    public required string ModelName { get; set; }

    /// <summary>The model spec's version, or <see langword="null"/> for the default model or when unresolved.</summary>
    public int? ModelVersion { get; set; }

    /// <summary>Number of context points (0 when the request was rejected before it was read).</summary>
    public int ContextSize { get; set; }

    /// <summary>Number of query points (0 when the request was rejected before it was read).</summary>
    public int QuerySize { get; set; }

    /// <summary><see cref="RunStatuses.Succeeded"/>, <see cref="RunStatuses.Rejected"/> or <see cref="RunStatuses.Failed"/>.</summary>
    public required string Status { get; set; }

    /// <summary>Why it was rejected or failed, or <see langword="null"/>.</summary>
    public string? Error { get; set; }

    /// <summary>Wall time of the call, in milliseconds.</summary>
    public double DurationMs { get; set; }

    /// <summary>When the call arrived (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The user id of the caller.</summary>
    public required string UserId { get; set; }

    /// <summary>The prefix of the token used.</summary>
    public required string TokenPrefix { get; set; }
}

/// <summary>Values of <see cref="Run.Status"/>.</summary>
internal static class RunStatuses
{
    /// <summary>The prediction was computed and returned.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>The request was invalid (answered 400/413).</summary>
    public const string Rejected = "rejected";

    /// <summary>The computation failed (for example, a kernel matrix that stayed singular).</summary>
    public const string Failed = "failed";
}
