using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PfnStudio.Tokens.Data;

/// <summary>Table, keys, lengths and indexes of <see cref="PersonalAccessToken"/>.</summary>
internal sealed class PersonalAccessTokenConfiguration : IEntityTypeConfiguration<PersonalAccessToken>
{
    public void Configure(EntityTypeBuilder<PersonalAccessToken> builder)
    {
        builder.ToTable("PersonalAccessTokens");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Name).HasMaxLength(PersonalAccessToken.NameMaxLength).IsRequired();
        builder.Property(t => t.Prefix).HasMaxLength(12).IsRequired();
        builder.Property(t => t.Hash).HasMaxLength(256).IsRequired();
        builder.Property(t => t.SecretSha256).HasMaxLength(64).IsFixedLength(false);
        builder.Property(t => t.UserId).HasMaxLength(450).IsRequired();

        // The prefix is the lookup key of the hot path: unique and indexed.
        builder.HasIndex(t => t.Prefix).IsUnique();
        builder.HasIndex(t => new { t.UserId, t.CreatedAt });
        builder.HasIndex(t => new { t.UserId, t.IssueRequestId }).IsUnique();

        // Regeneration and rotation: one successor per token, one rotation per owner and Idempotency-Key.
        builder.Property(t => t.RotationKeyDigest).HasMaxLength(64);
        builder.Property(t => t.RotationRequestDigest).HasMaxLength(64);
        builder.Property(t => t.RotationReplaySecret).HasMaxLength(1024);
        builder.HasIndex(t => t.RotatedFromId).IsUnique();
        builder.HasIndex(t => new { t.UserId, t.RotationKeyDigest }).IsUnique();

        builder.HasOne(t => t.User)
            .WithMany(u => u.PersonalAccessTokens)
            .HasForeignKey(t => t.UserId)
            .OnDelete(DeleteBehavior.Cascade);

        // An organization's fine-grained tokens go with it; none could reach anything afterwards.
        builder.HasOne(t => t.Organization)
            .WithMany()
            .HasForeignKey(t => t.OrganizationId)
            .OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(t => new { t.OrganizationId, t.UserId });
    }
}
