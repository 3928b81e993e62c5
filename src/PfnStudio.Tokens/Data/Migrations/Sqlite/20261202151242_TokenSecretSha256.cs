using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PfnStudio.Tokens.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TokenSecretSha256 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SecretSha256",
                table: "PersonalAccessTokens",
                type: "TEXT",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SecretSha256",
                table: "PersonalAccessTokens");
        }
    }
}
