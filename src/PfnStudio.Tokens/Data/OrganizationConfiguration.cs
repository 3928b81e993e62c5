using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PfnStudio.Tokens.Data;

/// <summary>Table, lengths and the unique slug of <see cref="Organization"/>.</summary>
internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> builder)
    {
        builder.ToTable("Organizations");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Slug).HasMaxLength(Organization.SlugMaxLength).IsRequired();
        builder.Property(o => o.Name).HasMaxLength(Organization.NameMaxLength).IsRequired();
        builder.HasIndex(o => o.Slug).IsUnique();

        // Organizations from before the token policy keep allowing full-access tokens.
        builder.Property(o => o.AllowFullAccessTokens).HasDefaultValue(true).HasSentinel(true);
    }
}

/// <summary>Composite key, role as text and cascades of <see cref="Membership"/>.</summary>
internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> builder)
    {
        builder.ToTable("Memberships");
        builder.HasKey(m => new { m.OrganizationId, m.UserId });
        builder.Property(m => m.UserId).HasMaxLength(450).IsRequired();

        // Stored by name, so the table reads plainly and reordering the enum cannot change anyone's role.
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(16).IsRequired();

        // "Which organizations is this user in?" is asked on every project API call.
        builder.HasIndex(m => m.UserId);
        builder.HasOne(m => m.Organization).WithMany(o => o.Memberships)
            .HasForeignKey(m => m.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(m => m.User).WithMany()
            .HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Table, the installation-wide unique slug and the owning organization of <see cref="Project"/>.</summary>
internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> builder)
    {
        builder.ToTable("Projects");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Slug).HasMaxLength(Project.SlugMaxLength).IsRequired();
        builder.HasIndex(p => p.Slug).IsUnique();
        builder.HasOne(p => p.Organization).WithMany(o => o.Projects)
            .HasForeignKey(p => p.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
