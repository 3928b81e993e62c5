using System.ComponentModel.DataAnnotations;

namespace PfnStudio.Tokens.Audit;

/// <summary>The audit trail's settings, bound from the <c>Audit</c> configuration section and validated at start.</summary>
internal sealed class AuditOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Audit";

    /// <summary>
    /// Seconds between writes of batched audit events (failed and expired uses, one batch per interval). Default 60.
    /// Issue and revoke rows are written with the change itself, never batched.
    /// </summary>
    [Range(1, 3_600)]
    public int FlushSeconds { get; set; } = 60;
}
