using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace PfnStudio.Tokens.Data;

/// <summary>Lets <c>dotnet ef</c> build the context without starting the host.</summary>
internal sealed class DesignTimeTokensDbContextFactory : IDesignTimeDbContextFactory<TokensDbContext>
{
    public TokensDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<TokensDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
