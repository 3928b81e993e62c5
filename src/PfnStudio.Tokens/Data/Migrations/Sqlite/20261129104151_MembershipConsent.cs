using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PfnStudio.Tokens.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MembershipConsent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "AcceptedAt",
                table: "Memberships",
                type: "INTEGER",
                nullable: true);

            // Memberships made before invitations existed were immediate: they stay accepted, as of when they
            // were made (both columns hold the same representation on this provider).
            migrationBuilder.Sql("UPDATE \"Memberships\" SET \"AcceptedAt\" = \"CreatedAt\" WHERE \"AcceptedAt\" IS NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AcceptedAt",
                table: "Memberships");
        }
    }
}
