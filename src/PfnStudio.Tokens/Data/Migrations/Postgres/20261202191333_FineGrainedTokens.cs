using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PfnStudio.Tokens.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FineGrainedTokens : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "OrganizationId",
                table: "PersonalAccessTokens",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<List<Guid>>(
                name: "ProjectIds",
                table: "PersonalAccessTokens",
                type: "uuid[]",
                nullable: false,
                // Rows issued before fine-grained tokens (full access) get an empty list, as the model's default.
                defaultValueSql: "'{}'::uuid[]");

            migrationBuilder.CreateIndex(
                name: "IX_PersonalAccessTokens_OrganizationId_UserId",
                table: "PersonalAccessTokens",
                columns: new[] { "OrganizationId", "UserId" });

            migrationBuilder.AddForeignKey(
                name: "FK_PersonalAccessTokens_Organizations_OrganizationId",
                table: "PersonalAccessTokens",
                column: "OrganizationId",
                principalTable: "Organizations",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_PersonalAccessTokens_Organizations_OrganizationId",
                table: "PersonalAccessTokens");

            migrationBuilder.DropIndex(
                name: "IX_PersonalAccessTokens_OrganizationId_UserId",
                table: "PersonalAccessTokens");

            migrationBuilder.DropColumn(
                name: "OrganizationId",
                table: "PersonalAccessTokens");

            migrationBuilder.DropColumn(
                name: "ProjectIds",
                table: "PersonalAccessTokens");
        }
    }
}
