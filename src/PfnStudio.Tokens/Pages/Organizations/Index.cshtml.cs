using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PfnStudio.Tokens.Organizations;

namespace PfnStudio.Tokens.Pages.Organizations;

/// <summary>
/// Avatar menu → Organizations: the organizations you belong to, invitations waiting for you (accept or
/// decline), and a form to create one (you own it).
/// </summary>
[Authorize]
internal sealed class IndexModel(OrganizationService organizations, MembershipService memberships) : PageModel
{
    /// <summary>The create form.</summary>
    [BindProperty]
    public CreateOrganizationInput Input { get; set; } = new();

    /// <summary>A one-line outcome of the last action.</summary>
    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>The signed-in user's organizations, by slug.</summary>
    public IReadOnlyList<OrganizationSummary> Organizations { get; private set; } = [];

    /// <summary>Invitations waiting for the signed-in user, by slug.</summary>
    public IReadOnlyList<InvitationSummary> Invitations { get; private set; } = [];

    /// <summary>Shows the lists.</summary>
    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    /// <summary>Accepts the signed-in user's own invitation to organization <paramref name="slug"/>; 404 when there is none.</summary>
    public async Task<IActionResult> OnPostAcceptAsync(string? slug, CancellationToken cancellationToken) =>
        Report(await memberships.AcceptInvitationAsync(slug ?? string.Empty, UserId, cancellationToken));

    /// <summary>Declines the signed-in user's own invitation to organization <paramref name="slug"/>; 404 when there is none.</summary>
    public async Task<IActionResult> OnPostDeclineAsync(string? slug, CancellationToken cancellationToken) =>
        Report(await memberships.DeclineInvitationAsync(slug ?? string.Empty, UserId, cancellationToken));

    /// <summary>Creates an organization owned by the signed-in user, then opens its members page.</summary>
    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            var result = await organizations.CreateOrganizationAsync(Input.Slug, Input.Name, UserId, cancellationToken);
            if (result.Succeeded)
            {
                StatusMessage = result.Message;
                return RedirectToPage("Members", new { slug = Input.Slug!.Trim() });
            }

            var field = result.Field == nameof(Input.Name) ? nameof(Input.Name) : nameof(Input.Slug);
            ModelState.AddModelError($"{nameof(Input)}.{field}", result.Message);
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Organizations = await organizations.ListForUserAsync(UserId, cancellationToken);
        Invitations = await memberships.ListInvitationsForUserAsync(UserId, cancellationToken);
    }

    // Post/Redirect/Get with the outcome as the status line; no invitation of yours there is a 404.
    private IActionResult Report(OrganizationResult result)
    {
        if (!result.Succeeded)
        {
            return NotFound();
        }

        StatusMessage = result.Message;
        return RedirectToPage();
    }

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;
}

/// <summary>The create-organization form; the organization service checks the slug rule and uniqueness.</summary>
internal sealed class CreateOrganizationInput
{
    /// <summary>The slug, e.g. <c>acme-research</c>.</summary>
    [Required(ErrorMessage = "Enter a slug.")]
    [Display(Name = "Slug")]
    public string? Slug { get; set; }

    /// <summary>Display name; blank means the slug.</summary>
    [Display(Name = "Name")]
    public string? Name { get; set; }
}
