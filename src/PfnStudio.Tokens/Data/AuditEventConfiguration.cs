using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace PfnStudio.Tokens.Data;

/// <summary>Table, key, lengths, kind names and index of <see cref="AuditEvent"/>.</summary>
internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("AuditEvents");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedOnAdd();
        builder.Property(e => e.UserId).HasMaxLength(450).IsRequired();
        builder.Property(e => e.TokenPrefix).HasMaxLength(12).IsRequired();
        builder.Property(e => e.Kind).HasMaxLength(16).IsRequired().HasConversion(new ValueConverter<AuditEventKind, string>(
            kind => AuditEventKinds.ToName(kind),
            name => AuditEventKinds.FromName(name)));
        builder.Property(e => e.ClientAddress).HasMaxLength(AuditEvent.ClientAddressMaxLength);
        builder.Property(e => e.Detail).HasMaxLength(AuditEvent.DetailMaxLength);

        // The page reads a user's newest events.
        builder.HasIndex(e => new { e.UserId, e.OccurredAt });

        builder.HasOne<ApplicationUser>()
            .WithMany()
            .HasForeignKey(e => e.UserId)
            .OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// The stable stored names of <see cref="AuditEventKind"/>: issued, revoked, failed_use, expired_use,
/// leak_reported, account_disabled, account_enabled, account_deleted, password_changed, password_reset, two_factor_on,
/// two_factor_off, signed_out_all, expiry_warned, expired_notice, regenerated, renamed, rotated (at most 16 characters, the column's length).
/// </summary>
internal static class AuditEventKinds
{
    /// <summary>The stored name of <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined kind.</exception>
    public static string ToName(AuditEventKind kind) => kind switch
    {
        AuditEventKind.Issued => "issued",
        AuditEventKind.Revoked => "revoked",
        AuditEventKind.FailedUse => "failed_use",
        AuditEventKind.ExpiredUse => "expired_use",
        AuditEventKind.LeakReported => "leak_reported",
        AuditEventKind.AccountDisabled => "account_disabled",
        AuditEventKind.AccountEnabled => "account_enabled",
        AuditEventKind.AccountDeleted => "account_deleted",
        AuditEventKind.PasswordChanged => "password_changed",
        AuditEventKind.PasswordReset => "password_reset",
        AuditEventKind.TwoFactorEnabled => "two_factor_on",
        AuditEventKind.TwoFactorDisabled => "two_factor_off",
        AuditEventKind.SignedOutEverywhere => "signed_out_all",
        AuditEventKind.ExpiryWarningSent => "expiry_warned",
        AuditEventKind.ExpiredNoticeSent => "expired_notice",
        AuditEventKind.Regenerated => "regenerated",
        AuditEventKind.Renamed => "renamed",
        AuditEventKind.Rotated => "rotated",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown audit event kind."),
    };

    /// <summary>The kind stored as <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a stored name.</exception>
    public static AuditEventKind FromName(string name) => name switch
    {
        "issued" => AuditEventKind.Issued,
        "revoked" => AuditEventKind.Revoked,
        "failed_use" => AuditEventKind.FailedUse,
        "expired_use" => AuditEventKind.ExpiredUse,
        "leak_reported" => AuditEventKind.LeakReported,
        "account_disabled" => AuditEventKind.AccountDisabled,
        "account_enabled" => AuditEventKind.AccountEnabled,
        "account_deleted" => AuditEventKind.AccountDeleted,
        "password_changed" => AuditEventKind.PasswordChanged,
        "password_reset" => AuditEventKind.PasswordReset,
        "two_factor_on" => AuditEventKind.TwoFactorEnabled,
        "two_factor_off" => AuditEventKind.TwoFactorDisabled,
        "signed_out_all" => AuditEventKind.SignedOutEverywhere,
        "expiry_warned" => AuditEventKind.ExpiryWarningSent,
        "expired_notice" => AuditEventKind.ExpiredNoticeSent,
        "regenerated" => AuditEventKind.Regenerated,
        "renamed" => AuditEventKind.Renamed,
        "rotated" => AuditEventKind.Rotated,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown audit event kind."),
    };
}
