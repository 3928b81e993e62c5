using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PfnStudio.Tokens.Accounts;
using PfnStudio.Tokens.Audit;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Organizations;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.PersonalAccessTokens.LeakReports;

namespace PfnStudio.Tokens.Pages;

/// <summary>
/// Avatar menu → API tokens: issue a named token (shown once) with full or fine-grained access, list active and
/// ended tokens, revoke, regenerate (sudo mode, like issuing) and rename them, and see the user's recent token activity (issued, revoked, failed and expired uses).
/// Every response is <c>Cache-Control: no-store</c>; a re-posted issue form mints nothing (its
/// <see cref="IssueInput.IssueRequestId"/> is remembered with the token it minted).
/// </summary>
internal sealed class ApiTokensModel(
    PersonalAccessTokenService tokens, TokenLifecycleService lifecycle, OrganizationService organizations,
    SignInManager<ApplicationUser> signIn, TimeProvider time, LeakedTokenNotices leaks) : PageModel
{
    /// <summary>ModelState keys of the row forms' fields.</summary>
    public const string RegenerateExpiresKey = "Regenerate.ExpiresInDays", RegeneratePasswordKey = "Regenerate.Password",
        RegenerateKey = "Regenerate", RenameNameKey = "Rename.Name";

    /// <summary>Days after which the page suggests a shorter expiry.</summary>
    public const int LongExpiryDays = 90;

    /// <summary>Days before expiry from which a token's row carries an "expires soon" hint.</summary>
    public const int ExpiresSoonDays = 7;

    /// <summary>The expiry the issue card starts with, in days.</summary>
    public const int DefaultExpiresInDays = 30;

    /// <summary>Token policies of the person's organizations that restrict something, for the issue card.</summary>
    public IReadOnlyList<PfnStudio.Tokens.Organizations.OrganizationTokenPolicy> Policies { get; private set; } = [];

    /// <summary>The issue form.</summary>
    [BindProperty]
    public IssueInput Input { get; set; } = new();

    /// <summary>A one-line outcome of the last action (revoked, not found, already issued).</summary>
    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>The token just issued, in the one response that reveals it.</summary>
    public IssuedToken? Issued { get; private set; }

    /// <summary>The user's tokens.</summary>
    public PersonalAccessTokenLists Tokens { get; private set; } = new([], []);

    /// <summary>The user's last audit events, newest first (at most <see cref="PersonalAccessTokenService.RecentActivityCount"/>).</summary>
    public IReadOnlyList<TokenActivity> RecentActivity { get; private set; } = [];

    /// <summary>Red notices: the user's tokens found in public and revoked for it recently (<see cref="LeakedTokenNotices"/>).</summary>
    public IReadOnlyList<LeakedTokenNotice> LeakNotices { get; private set; } = [];

    /// <summary>Days a leak notice stays on the page.</summary>
    public int LeakNoticeDays => leaks.Days;

    /// <summary>The organizations a fine-grained token may name (accepted memberships), with their projects.</summary>
    public IReadOnlyList<OrganizationSummary> Organizations { get; private set; } = [];

    /// <summary>
    /// Whether issuing needs the password first (sudo mode: not signed in or confirmed within
    /// <see cref="SudoMode.Window"/>); the form then asks for it beside the token's fields.
    /// </summary>
    public bool NeedsPassword { get; private set; }

    /// <summary>The row whose regenerate form was refused, shown open with its messages; else none.</summary>
    public Guid? RegenerateOpenId { get; private set; }

    /// <summary>The row whose rename form was refused, shown open with its message; else none.</summary>
    public Guid? RenameOpenId { get; private set; }

    /// <summary>What the refused row form had typed (expiry or name), shown again.</summary>
    public string? RowFormValue { get; private set; }

    /// <summary>The current instant (UTC), for expiry hints.</summary>
    public DateTimeOffset Now { get; private set; }

    /// <summary>Shows the page with a fresh issue form.</summary>
    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        NoStore();
        await LoadAsync(cancellationToken);
        Input = FreshInput();
    }

    /// <summary>Issues a token and reveals it once; bad input re-shows the form with messages.</summary>
    public async Task<IActionResult> OnPostIssueAsync(CancellationToken cancellationToken)
    {
        NoStore();
        Guid? requestId = Guid.TryParse(Input.IssueRequestId, out var parsed) ? parsed : null;
        var password = Input.Password;
        Input.Password = null;
        if (!await ConfirmPasswordAsync(password, $"{nameof(Input)}.{nameof(IssueInput.Password)}", "issuing a token"))
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        IssueTokenResult result;
        try
        {
            result = await tokens.IssueAsync(UserId, Input.Name, Input.ExpiresInDays, Input.ToAccessRequest(), requestId, cancellationToken);
        }
        catch (HashingBusyException)
        {
            ModelState.AddModelError(string.Empty, "The service is busy; try again in a moment.");
            await LoadAsync(cancellationToken);
            return Page();
        }

        if (result.AlreadyIssued)
        {
            // A reload or back/forward re-posted the form: the token it minted is listed; its value is gone.
            StatusMessage = "This form was already submitted and its token issued. A token's value is shown only once; issue a new token if you lost it.";
            return RedirectToPage();
        }

        if (!result.Succeeded)
        {
            ModelState.Clear();
            foreach (var (field, message) in result.Errors)
            {
                ModelState.AddModelError($"{nameof(Input)}.{field}", message);
            }

            await LoadAsync(cancellationToken);
            return Page();
        }

        var token = result.Token!;
        var days = token.ExpiresAt is { } e ? (int)Math.Round((e - token.CreatedAt).TotalDays) : (int?)null;
        Issued = new IssuedToken(token.Name, result.Plaintext!, token.ExpiresAt, days, token.Access.Describe());
        ModelState.Clear();
        await LoadAsync(cancellationToken);
        Input = FreshInput();
        return Page();
    }

    /// <summary>Revokes one of the user's tokens, then shows the page again (Post/Redirect/Get).</summary>
    /// <param name="id">The token id from the row's form; anything else is "not found".</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    public async Task<IActionResult> OnPostRevokeAsync(string? id, CancellationToken cancellationToken)
    {
        NoStore();

        // Another user's token, a missing id and an already revoked one get the same answer.
        var name = Guid.TryParse(id, out var tokenId) ? await tokens.RevokeAsync(UserId, tokenId, RevocationDetails.OnThePage, cancellationToken) : null;
        StatusMessage = name is null
            ? "Token not found. It may already have been revoked."
            : $"Token \u201c{name}\u201d revoked. Anything still using it now gets 401.";
        return RedirectToPage();
    }

    /// <summary>
    /// Regenerates one of the user's active tokens (sudo mode, like issuing): a new secret under the same name and
    /// access, a new expiry (blank = never); the old token is revoked in the same transaction and the new one
    /// revealed once. A re-posted form (same <paramref name="requestId"/>) mints nothing.
    /// </summary>
    public async Task<IActionResult> OnPostRegenerateAsync(
        string? id, string? expiresInDays, string? password, string? requestId, CancellationToken cancellationToken)
    {
        NoStore();
        Guid? formId = Guid.TryParse(requestId, out var parsedRequest) ? parsedRequest : null;
        if (!Guid.TryParse(id, out var tokenId))
        {
            StatusMessage = "Token not found. It may have been revoked or regenerated meanwhile.";
            return RedirectToPage();
        }

        if (!await ConfirmPasswordAsync(password, RegeneratePasswordKey, "regenerating a token"))
        {
            return await RowRefusedAsync(tokenId, regenerate: true, expiresInDays, cancellationToken);
        }

        IssueTokenResult result;
        try
        {
            result = await lifecycle.RegenerateAsync(UserId, tokenId, expiresInDays, formId, cancellationToken);
        }
        catch (HashingBusyException)
        {
            ModelState.AddModelError(RegenerateKey, "The service is busy; try again in a moment.");
            return await RowRefusedAsync(tokenId, regenerate: true, expiresInDays, cancellationToken);
        }

        if (result.AlreadyIssued)
        {
            StatusMessage = "This form was already submitted and its token regenerated. A token's value is shown only once; regenerate it again if you lost it.";
            return RedirectToPage();
        }

        if (result.TokenNotFound)
        {
            StatusMessage = "Token not found. It may have been revoked or regenerated meanwhile.";
            return RedirectToPage();
        }

        if (!result.Succeeded)
        {
            foreach (var (field, message) in result.Errors)
            {
                ModelState.AddModelError(field == IssueTokenResult.ExpiresInDaysField ? RegenerateExpiresKey : RegenerateKey, message);
            }

            return await RowRefusedAsync(tokenId, regenerate: true, expiresInDays, cancellationToken);
        }

        var token = result.Token!;
        var days = token.ExpiresAt is { } e ? (int)Math.Round((e - token.CreatedAt).TotalDays) : (int?)null;
        Issued = new IssuedToken(token.Name, result.Plaintext!, token.ExpiresAt, days, token.Access.Describe(), Regenerated: true);
        StatusMessage = null;
        ModelState.Clear();
        await LoadAsync(cancellationToken);
        Input = FreshInput();
        return Page();
    }

    /// <summary>Renames one of the user's active tokens (the issue form's name rules), then shows the page again.</summary>
    public async Task<IActionResult> OnPostRenameAsync(string? id, string? name, CancellationToken cancellationToken)
    {
        NoStore();
        var result = Guid.TryParse(id, out var tokenId)
            ? await lifecycle.RenameAsync(UserId, tokenId, name, cancellationToken)
            : RenameTokenResult.Missing;
        if (!result.Found)
        {
            StatusMessage = "Token not found. It may have been revoked or regenerated meanwhile.";
            return RedirectToPage();
        }

        if (result.NewName is null)
        {
            foreach (var message in result.Errors.Values)
            {
                ModelState.AddModelError(RenameNameKey, message);
            }

            return await RowRefusedAsync(tokenId, regenerate: false, name, cancellationToken);
        }

        StatusMessage = result.NewName == result.OldName
            ? $"Token \u201c{result.NewName}\u201d already has that name; nothing changed."
            : $"Token \u201c{result.OldName}\u201d renamed to \u201c{result.NewName}\u201d.";
        return RedirectToPage();
    }

    // A refused row form: the page again, that row's form open with its messages and what was typed.
    private async Task<IActionResult> RowRefusedAsync(Guid tokenId, bool regenerate, string? typed, CancellationToken cancellationToken)
    {
        if (regenerate)
        {
            RegenerateOpenId = tokenId;
        }
        else
        {
            RenameOpenId = tokenId;
        }

        RowFormValue = typed;
        await LoadAsync(cancellationToken);
        Input = FreshInput();
        return Page();
    }

    // This request's password confirmation (the renewed cookie reaches the browser with the response).
    private bool _confirmedNow;

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    // Sudo mode: a session older than the window issues only with the password typed again. A right password
    // renews the session's confirmation (the next two hours need none); a wrong one changes nothing and counts
    // towards the account's lockout like a sign-in.
    // The issue card and each row's regenerate form share it; errorKey names the field that shows the message.
    private async Task<bool> ConfirmPasswordAsync(string? password, string errorKey, string action)
    {
        // The one sudo-mode check (SudoMode.ConfirmAsync), as the two-factor page uses it.
        if (await signIn.UserManager.GetUserAsync(User) is not { } user
            || !await SudoMode.ConfirmAsync(HttpContext, signIn, user, password, time.GetUtcNow()))
        {
            ModelState.AddModelError(errorKey, SudoMode.Refusal(password, action));
            return false;
        }

        _confirmedNow = true;
        return true;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        NeedsPassword = !_confirmedNow && !SudoMode.IsConfirmed(User, Now);
        Tokens = await tokens.ListAsync(UserId, cancellationToken);
        RecentActivity = await tokens.RecentActivityAsync(UserId, cancellationToken);
        LeakNotices = await leaks.ForUserAsync(UserId, cancellationToken);
        Organizations = await organizations.ListForUserAsync(UserId, cancellationToken);
        Policies = await organizations.RestrictingTokenPoliciesAsync(UserId, cancellationToken);
    }

    // The form's defaults: full access as before; for fine-grained, the first organization, all its projects, read.
    private IssueInput FreshInput() => new()
    {
        IssueRequestId = Guid.NewGuid().ToString(),

        // 30 days unless the person chooses otherwise, as GitHub and GitLab do; blank still means never.
        ExpiresInDays = DefaultExpiresInDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Access = TokenAccessRequest.FullAccessValue,
        Organization = Organizations.Count > 0 ? Organizations[0].Slug : null,
        ProjectScope = TokenAccessRequest.AllProjectsValue,
        Permissions = [PersonalAccessTokenScopes.Read],
    };

    private void NoStore()
    {
        Response.Headers.CacheControl = "no-store";
        Response.Headers.Pragma = "no-cache";
    }
}

/// <summary>The issue form. Values arrive as typed; the token service validates and trims them.</summary>
internal sealed class IssueInput
{
    /// <summary>The token's name.</summary>
    [Display(Name = "Token name")]
    public string? Name { get; set; }

    /// <summary>Days until expiry, blank for never.</summary>
    [Display(Name = "Expires in (days)")]
    public string? ExpiresInDays { get; set; }

    /// <summary>The account's password, asked for in sudo mode only; never shown again.</summary>
    [Display(Name = "Your password")]
    public string? Password { get; set; }

    /// <summary>Identifies this rendering of the form, so a re-post mints nothing.</summary>
    public string? IssueRequestId { get; set; }

    /// <summary><c>full</c> or <c>fine-grained</c> (<see cref="TokenAccessRequest"/>'s values).</summary>
    public string? Access { get; set; }

    /// <summary>A fine-grained token's organization slug.</summary>
    public string? Organization { get; set; }

    /// <summary><c>all</c> or <c>chosen</c>.</summary>
    public string? ProjectScope { get; set; }

    /// <summary>Chosen project slugs (one checkbox each).</summary>
    public List<string?> Projects { get; set; } = [];

    /// <summary>Chosen permissions (one checkbox each).</summary>
    public List<string?> Permissions { get; set; } = [];

    /// <summary>
    /// What the form asks for. Fields the choices above them hide do not count (without script they are still
    /// posted): full access drops the fine-grained fields, all projects drops the project checkboxes.
    /// </summary>
    public TokenAccessRequest ToAccessRequest()
    {
        if (Access?.Trim() != TokenAccessRequest.FineGrainedValue)
        {
            return new TokenAccessRequest(Access, null, null, null, null);
        }

        var projects = ProjectScope?.Trim() == TokenAccessRequest.AllProjectsValue ? [] : Projects;
        return new TokenAccessRequest(Access, Organization, ProjectScope, projects, Permissions);
    }
}

/// <summary>A token just issued, with its plaintext for the reveal box.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Plaintext">The token, shown once.</param>
/// <param name="ExpiresAt">Expiry instant (UTC), or null for never.</param>
/// <param name="ExpiresInDays">Days until expiry, or null for never.</param>
/// <param name="Access">What it may do, as the Scopes column says it.</param>
/// <param name="Regenerated">Minted by regenerating an older token (revoked at the same moment), not issued afresh.</param>
internal sealed record IssuedToken(string Name, string Plaintext, DateTimeOffset? ExpiresAt, int? ExpiresInDays, string Access, bool Regenerated = false);
