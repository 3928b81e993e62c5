using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PfnStudio.Tokens.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OrganizationTokenPolicy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "AllowFullAccessTokens",
                table: "Organizations",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<int>(
                name: "MaxTokenLifetimeDays",
                table: "Organizations",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AllowFullAccessTokens",
                table: "Organizations");

            migrationBuilder.DropColumn(
                name: "MaxTokenLifetimeDays",
                table: "Organizations");
        }
    }
}
