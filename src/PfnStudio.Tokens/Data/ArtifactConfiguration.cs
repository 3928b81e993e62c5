using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PfnStudio.Tokens.Data;

/// <summary>Table, lengths and version indexes of <see cref="Prior"/>.</summary>
internal sealed class PriorConfiguration : IEntityTypeConfiguration<Prior>
{
    public void Configure(EntityTypeBuilder<Prior> builder)
    {
        builder.ToTable("Priors");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Name).HasMaxLength(Prior.NameMaxLength).IsRequired();
        builder.Property(p => p.Sha256).HasMaxLength(64).IsRequired();
        builder.Property(p => p.Content).HasMaxLength(Prior.MaxContentBytes).IsRequired();
        builder.Property(p => p.PushedByUserId).HasMaxLength(450).IsRequired();
        builder.Property(p => p.TokenPrefix).HasMaxLength(12).IsRequired();

        // Two pushes racing for the same next version: the unique index lets exactly one win.
        builder.HasIndex(p => new { p.ProjectId, p.Name, p.Version }).IsUnique();
        builder.HasIndex(p => new { p.ProjectId, p.Name, p.Sha256 });
        builder.HasOne<Project>().WithMany().HasForeignKey(p => p.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Table, lengths and version indexes of <see cref="ModelSpec"/>.</summary>
internal sealed class ModelSpecConfiguration : IEntityTypeConfiguration<ModelSpec>
{
    public void Configure(EntityTypeBuilder<ModelSpec> builder)
    {
        builder.ToTable("ModelSpecs");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Name).HasMaxLength(ModelSpec.NameMaxLength).IsRequired();
        builder.Property(m => m.Sha256).HasMaxLength(64).IsRequired();
        builder.Property(m => m.Content).HasMaxLength(ModelSpec.MaxContentBytes).IsRequired();
        builder.Property(m => m.PriorName).HasMaxLength(Prior.NameMaxLength).IsRequired();
        builder.Property(m => m.Kernel).HasMaxLength(16).IsRequired();
        builder.Property(m => m.PushedByUserId).HasMaxLength(450).IsRequired();
        builder.Property(m => m.TokenPrefix).HasMaxLength(12).IsRequired();
        builder.HasIndex(m => new { m.ProjectId, m.Name, m.Version }).IsUnique();
        builder.HasIndex(m => new { m.ProjectId, m.Name, m.Sha256 });
        builder.HasOne<Project>().WithMany().HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Table, lengths and the paging index of <see cref="Run"/>.</summary>
internal sealed class RunConfiguration : IEntityTypeConfiguration<Run>
{
    public void Configure(EntityTypeBuilder<Run> builder)
    {
        builder.ToTable("Runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedOnAdd();
        builder.Property(r => r.ModelName).HasMaxLength(ModelSpec.NameMaxLength).IsRequired();
        builder.Property(r => r.Status).HasMaxLength(16).IsRequired();
        builder.Property(r => r.Error).HasMaxLength(Run.ErrorMaxLength);
        builder.Property(r => r.UserId).HasMaxLength(450).IsRequired();
        builder.Property(r => r.TokenPrefix).HasMaxLength(12).IsRequired();

        // Newest first within a project, paged by id: (ProjectId, Id) serves both the order and the cursor.
        builder.HasIndex(r => new { r.ProjectId, r.Id });
        builder.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
