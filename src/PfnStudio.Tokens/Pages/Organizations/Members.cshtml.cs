using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Organizations;

namespace PfnStudio.Tokens.Pages.Organizations;

/// <summary>
/// An organization's members page, for its owners and admins: accepted members with role, each accepted
/// member's active tokens with revoke, invite someone by e-mail (pending until they accept), cancel an
/// invitation (revokes nothing), change roles, remove members (revoking all their tokens), create projects.
/// Anyone else, and a missing organization, get the same 404.
/// </summary>
[Authorize]
internal sealed class MembersModel(
    OrganizationService organizations, MembershipService memberships, ProjectService projects, TimeProvider time) : PageModel
{
    /// <summary>The organization's slug, from the path.</summary>
    [BindProperty(SupportsGet = true)]
    public string Slug { get; set; } = string.Empty;

    /// <summary>The add-member form.</summary>
    [BindProperty]
    public AddMemberInput Input { get; set; } = new();

    /// <summary>The create-project form.</summary>
    [BindProperty]
    public CreateProjectInput Project { get; set; } = new();

    /// <summary>The token policy form (owners).</summary>
    [BindProperty]
    public TokenPolicyInput Policy { get; set; } = new();

    /// <summary>The organization's token policy as stored.</summary>
    public OrganizationTokenPolicy? TokenPolicy { get; private set; }

    /// <summary>A one-line outcome of the last action.</summary>
    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>Accepted members by e-mail, with their active tokens.</summary>
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];

    /// <summary>Pending invitations by e-mail (no tokens: those people have not consented).</summary>
    public IReadOnlyList<PendingMemberSummary> Pending { get; private set; } = [];

    /// <summary>The organization's projects.</summary>
    public IReadOnlyList<string> Projects { get; private set; } = [];

    /// <summary>The signed-in user's role here (owner or admin).</summary>
    public OrganizationRole ViewerRole { get; private set; }

    /// <summary>The signed-in user's id.</summary>
    public string ViewerId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    /// <summary>The current instant (UTC).</summary>
    public DateTimeOffset Now { get; private set; }

    /// <summary>Shows the page, or 404 for someone who may not manage the organization.</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : NotFound();

    /// <summary>Invites someone by e-mail address with a role; they join when they accept.</summary>
    public async Task<IActionResult> OnPostAddAsync(CancellationToken cancellationToken)
    {
        if (!OrganizationRules.TryParseRole(Input.Role, out var role))
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.Role)}", "Choose member, admin or owner.");
        }

        if (ModelState.IsValid)
        {
            var result = await memberships.AddMemberAsync(Slug, ViewerId, Input.Email, role, cancellationToken);
            if (result.Outcome == OrganizationOutcome.NotFound)
            {
                return NotFound();
            }

            if (result.Succeeded)
            {
                StatusMessage = result.Message;
                return RedirectToPage();
            }

            ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.Email)}", result.Message);
        }

        return await LoadAsync(cancellationToken) ? Page() : NotFound();
    }

    /// <summary>Changes a member's role.</summary>
    public async Task<IActionResult> OnPostRoleAsync(string? userId, string? role, CancellationToken cancellationToken)
    {
        if (!OrganizationRules.TryParseRole(role, out var parsed))
        {
            return Report(OrganizationResultOf("Choose member, admin or owner."));
        }

        return Report(await memberships.ChangeRoleAsync(Slug, ViewerId, userId ?? string.Empty, parsed, cancellationToken));
    }

    /// <summary>
    /// Removes an accepted member and revokes all their tokens in the same transaction; for a pending invitation,
    /// cancels it and revokes nothing.
    /// </summary>
    public async Task<IActionResult> OnPostRemoveAsync(string? userId, CancellationToken cancellationToken) =>
        Report(await memberships.RemoveMemberAsync(Slug, ViewerId, userId ?? string.Empty, cancellationToken));

    /// <summary>Revokes one of a member's tokens.</summary>
    public async Task<IActionResult> OnPostRevokeAsync(string? userId, string? tokenId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(tokenId, out var id))
        {
            return Report(OrganizationResultOf("Token not found. It may already have been revoked."));
        }

        return Report(await memberships.RevokeMemberTokenAsync(Slug, ViewerId, userId ?? string.Empty, id, cancellationToken));
    }

    /// <summary>Creates a project in the organization.</summary>
    public async Task<IActionResult> OnPostProjectAsync(CancellationToken cancellationToken)
    {
        var result = await projects.CreateProjectAsync(Slug, ViewerId, Project.Slug, cancellationToken);
        if (result.Outcome == OrganizationOutcome.NotFound)
        {
            return NotFound();
        }

        if (result.Succeeded)
        {
            StatusMessage = result.Message;
            return RedirectToPage();
        }

        // Only the project form was submitted: the add-member form's empty fields are not errors here.
        ModelState.Clear();
        ModelState.AddModelError($"{nameof(Project)}.{nameof(Project.Slug)}", result.Message);
        return await LoadAsync(cancellationToken) ? Page() : NotFound();
    }

    /// <summary>Sets the organization's token policy (owners).</summary>
    public async Task<IActionResult> OnPostTokenPolicyAsync(CancellationToken cancellationToken)
    {
        var result = await organizations.SetTokenPolicyAsync(Slug, ViewerId, Policy.MaxTokenLifetimeDays, Policy.AllowFullAccessTokens, cancellationToken);
        if (result.Outcome == OrganizationOutcome.NotFound)
        {
            return NotFound();
        }

        if (result.Succeeded)
        {
            StatusMessage = result.Message;
            return RedirectToPage();
        }

        // Only the policy form was submitted; what was typed stays in it.
        var typed = Policy;
        ModelState.Clear();
        ModelState.AddModelError($"{nameof(Policy)}.{nameof(Policy.MaxTokenLifetimeDays)}", result.Message);
        var shown = await LoadAsync(cancellationToken);
        Policy = typed;
        return shown ? Page() : NotFound();
    }

    private static OrganizationResult OrganizationResultOf(string message) => new(OrganizationOutcome.Invalid, message);

    // Post/Redirect/Get with the outcome as the status line; a stranger gets the page's 404.
    private IActionResult Report(OrganizationResult result)
    {
        if (result.Outcome == OrganizationOutcome.NotFound)
        {
            return NotFound();
        }

        StatusMessage = result.Message;
        return RedirectToPage();
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        var list = await memberships.ListMembersAsync(Slug, ViewerId, cancellationToken);
        if (list is null)
        {
            return false;
        }

        // Removed or demoted between the two reads (another owner acting at the same moment): the page is gone
        // for them, the same 404 as for a stranger, not a 500.
        var viewer = list.Members.FirstOrDefault(m => m.UserId == ViewerId);
        var organization = (await organizations.ListForUserAsync(ViewerId, cancellationToken)).FirstOrDefault(o => o.Slug == Slug);
        if (viewer is null || organization is null)
        {
            return false;
        }

        Members = list.Members;
        Pending = list.Pending;
        ViewerRole = viewer.Role;
        Projects = organization.Projects;
        Now = time.GetUtcNow();
        TokenPolicy = await organizations.TokenPolicyAsync(Slug, ViewerId, cancellationToken);
        Policy = new TokenPolicyInput
        {
            MaxTokenLifetimeDays = TokenPolicy?.MaxLifetimeDays?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AllowFullAccessTokens = TokenPolicy?.AllowFullAccess ?? true,
        };
        return true;
    }
}

/// <summary>The add-member form.</summary>
internal sealed class AddMemberInput
{
    /// <summary>The invited person's e-mail address; they must have an account.</summary>
    [Required(ErrorMessage = "Enter an email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [Display(Name = "Email")]
    public string? Email { get; set; }

    /// <summary><c>member</c>, <c>admin</c> or <c>owner</c>.</summary>
    [Display(Name = "Role")]
    public string? Role { get; set; } = "member";
}

/// <summary>The create-project form.</summary>
internal sealed class CreateProjectInput
{
    /// <summary>The project slug, unique in the installation.</summary>
    [Display(Name = "Project slug")]
    public string? Slug { get; set; }
}

/// <summary>The token policy form.</summary>
internal sealed class TokenPolicyInput
{
    /// <summary>The longest lifetime in days, as typed; blank for no limit.</summary>
    [System.ComponentModel.DataAnnotations.StringLength(12)]
    public string? MaxTokenLifetimeDays { get; set; }

    /// <summary>Whether full-access tokens may reach the organization's projects.</summary>
    public bool AllowFullAccessTokens { get; set; } = true;
}
