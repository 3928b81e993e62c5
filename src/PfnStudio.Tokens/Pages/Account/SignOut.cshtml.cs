using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PfnStudio.Tokens.Data;

namespace PfnStudio.Tokens.Pages.Account;

/// <summary>Signs out. Only a POST (with antiforgery) signs out, so a link on another site cannot.</summary>
[AllowAnonymous]
internal sealed class SignOutModel(SignInManager<ApplicationUser> signIn, UserManager<ApplicationUser> users) : PageModel
{
    /// <summary>Shows a sign-out button.</summary>
    public void OnGet()
    {
    }

    /// <summary>Ends the session server-side (a replayed copy of its cookie is refused) and goes home.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        // Identity's cookie carries the stamp; changing it refuses every copy of this cookie on every host.
        // It ends the person's other sessions too: Identity has no per-session stamp without a ticket store.
        if (await users.GetUserAsync(User) is { } user)
        {
            await users.UpdateSecurityStampAsync(user);
        }

        await signIn.SignOutAsync();
        return LocalRedirect("/");
    }
}
