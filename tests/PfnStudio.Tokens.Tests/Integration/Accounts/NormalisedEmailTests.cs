using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Integration.Accounts;

/// <summary>
/// E-mail addresses are compared in Identity's normalised form everywhere: case (Unicode, not only ASCII) and
/// surrounding spaces name the same account.
/// </summary>
public sealed class NormalisedEmailTests
{
    private const string Composed = "Jos\u00e9@Example.com";
    private const string OtherCase = " JOS\u00c9@example.COM ";

    [Fact]
    public async Task SignUpSignInAndTheThrottleTreatTheTwoFormsAsOneAccount()
    {
        await using var app = new TokensApplication();
        var first = new Person(app);
        await first.Browser.SignUpAsync(Composed);

        var second = await new Person(app).Browser.SignUpAsync(OtherCase);
        Assert.Contains("An account with this email already exists.", second.Text("[data-valmsg-for='Input.Email']"));
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync()));

        var signedIn = await new Person(app).SignInAsync(OtherCase, TokensApplication.Password);
        Assert.Equal("/", signedIn.Url.AbsolutePath);
    }

    [Fact]
    public async Task AnInvitationAndTheOperatorFindTheAccountByEitherForm()
    {
        await using var app = new TokensApplication();
        var owner = await app.CreateUserAsync("owner@example.com");
        var invitee = await app.CreateUserAsync(Composed);
        using var scope = app.Services.CreateScope();
        var organizations = scope.ServiceProvider.GetRequiredService<PfnStudio.Tokens.Organizations.OrganizationService>();
        Assert.Equal(invitee.Id, await organizations.FindUserIdByEmailAsync(OtherCase, TestContext.Current.CancellationToken));

        var administration = scope.ServiceProvider.GetRequiredService<PfnStudio.Tokens.Accounts.AccountAdministration>();
        var disabled = await administration.DisableAsync(OtherCase, TestContext.Current.CancellationToken);
        Assert.True(disabled.Succeeded, disabled.Message);
        Assert.NotNull(await app.WithDbAsync(db => db.Users.Where(u => u.Id == invitee.Id).Select(u => u.DisabledAt).SingleAsync()));
        Assert.NotEqual(owner.Id, invitee.Id);
    }

    [Fact]
    public async Task TheComparisonKeyIsIdentitysOwn()
    {
        await using var app = new TokensApplication();
        var normalizer = app.Services.GetRequiredService<Microsoft.AspNetCore.Identity.ILookupNormalizer>();
        foreach (var email in new[] { Composed, OtherCase, "ADA@example.com", "jose\u0301@example.com", "\u01c5x@example.com" })
        {
            Assert.Equal(normalizer.NormalizeEmail(email.Trim()), PfnStudio.Tokens.Accounts.AccountEmail.Normalize(email));
        }

        Assert.Null(PfnStudio.Tokens.Accounts.AccountEmail.Normalize("   "));
    }
}
