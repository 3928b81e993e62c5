using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PfnStudio.Tokens.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TokenRotation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "RotatedFromId",
                table: "PersonalAccessTokens",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RotationKeyDigest",
                table: "PersonalAccessTokens",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RotationReplaySecret",
                table: "PersonalAccessTokens",
                type: "TEXT",
                maxLength: 1024,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RotationReplayUntil",
                table: "PersonalAccessTokens",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RotationRequestDigest",
                table: "PersonalAccessTokens",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_PersonalAccessTokens_RotatedFromId",
                table: "PersonalAccessTokens",
                column: "RotatedFromId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PersonalAccessTokens_UserId_RotationKeyDigest",
                table: "PersonalAccessTokens",
                columns: new[] { "UserId", "RotationKeyDigest" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PersonalAccessTokens_RotatedFromId",
                table: "PersonalAccessTokens");

            migrationBuilder.DropIndex(
                name: "IX_PersonalAccessTokens_UserId_RotationKeyDigest",
                table: "PersonalAccessTokens");

            migrationBuilder.DropColumn(
                name: "RotatedFromId",
                table: "PersonalAccessTokens");

            migrationBuilder.DropColumn(
                name: "RotationKeyDigest",
                table: "PersonalAccessTokens");

            migrationBuilder.DropColumn(
                name: "RotationReplaySecret",
                table: "PersonalAccessTokens");

            migrationBuilder.DropColumn(
                name: "RotationReplayUntil",
                table: "PersonalAccessTokens");

            migrationBuilder.DropColumn(
                name: "RotationRequestDigest",
                table: "PersonalAccessTokens");
        }
    }
}
