using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Mail;

namespace PfnStudio.Tokens.Accounts;

/// <summary>Registers ASP.NET Core Identity for browser accounts.</summary>
internal static class AccountExtensions
{
    /// <summary>Sign-in path of the cookie scheme.</summary>
    public const string SignInPath = "/account/sign-in";

    /// <summary>
    /// Adds Identity with EF Core stores and its cookie: the sign-in page at <see cref="SignInPath"/>
    /// (with <c>returnUrl</c>), wrong passwords throttled per client address and per account (<see cref="SignInThrottle"/>,
    /// never a lockout; Identity's lockout, 5 failures for 5 minutes, counts only second-factor codes), passwords of at least 10 characters
    /// with no composition rules (NIST SP 800-63B prefers length to character classes). Every cookie is
    /// HttpOnly, SameSite Lax or Strict, and Secure outside Development. The security stamp is validated on every
    /// request, so a session ends server-side (on every host) as soon as the stamp changes, or as soon as the account
    /// is disabled or deleted (<see cref="AccountSignInManager"/>).
    /// </summary>
    public static WebApplicationBuilder AddAccounts(this WebApplicationBuilder builder)
    {
        var accounts = builder.Configuration.GetSection(AccountOptions.SectionName).Get<AccountOptions>() ?? new AccountOptions();
        builder.Services.Configure<AccountOptions>(builder.Configuration.GetSection(AccountOptions.SectionName));

        builder.Services
            .AddIdentity<ApplicationUser, IdentityRole>(options =>
            {
                options.User.RequireUniqueEmail = true;

                // The user name is the e-mail address, already checked as one: Identity's default ASCII-only set
                // would refuse internationalised addresses (RFC 6531) with a message about user names.
                options.User.AllowedUserNameCharacters = string.Empty;
                options.SignIn.RequireConfirmedEmail = accounts.RequireConfirmedEmail;
                options.Password.RequiredLength = 10;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                options.Tokens.PasswordResetTokenProvider = PasswordResetTokenProvider.ProviderName;
            })
            .AddEntityFrameworkStores<TokensDbContext>()
            .AddSignInManager<AccountSignInManager>()
            .AddClaimsPrincipalFactory<AccountClaimsPrincipalFactory>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<OneTimeAuthenticatorTokenProvider>(OneTimeAuthenticatorTokenProvider.ProviderName)
            .AddTokenProvider<PasswordResetTokenProvider>(PasswordResetTokenProvider.ProviderName);
        builder.Services.Configure<PasswordResetTokenProviderOptions>(options =>
        {
            options.Name = PasswordResetTokenProvider.ProviderName;
            options.TokenLifespan = PasswordResetTokenProvider.Lifetime;
        });
        builder.Services.AddMail(builder.Configuration);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<AccountAdministration>();
        builder.Services.AddScoped<AccountActivity>();
        builder.Services.AddScoped<AccountMail>();
        builder.Services.AddOptions<SignInThrottleOptions>()
            .Bind(builder.Configuration.GetSection(SignInThrottleOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<SignInThrottle>();

        // The stamp is checked on every request (one indexed row read), so a stamp updated by sign-out, a password
        // change or "sign out everywhere" on any host refuses every older cookie on its very next request.
        // The rebuilt principal keeps when the password was last confirmed (sudo mode), not "now".
        builder.Services.Configure<SecurityStampValidatorOptions>(options =>
        {
            options.ValidationInterval = TimeSpan.Zero;
            options.OnRefreshingPrincipal = SudoMode.KeepConfirmation;
        });

        // Cookies are Secure everywhere but Development, where `dotnet run` serves plain http://localhost:5000.
        var secure = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "pfnstudio.antiforgery";
            options.Cookie.SecurePolicy = secure;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });
        builder.Services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(options =>
        {
            options.Cookie.Name = "pfnstudio.tempdata";
            options.Cookie.SecurePolicy = secure;
            options.Cookie.SameSite = SameSiteMode.Lax;
        });
        builder.Services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.SecurePolicy = secure;
            options.LoginPath = SignInPath;
            options.LogoutPath = "/account/sign-out";
            options.AccessDeniedPath = SignInPath;
            options.Cookie.Name = "pfnstudio.session";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.SlidingExpiration = true;
            options.ExpireTimeSpan = TimeSpan.FromDays(14);

            // The handler builds an absolute URL from the request's Host header; a relative one echoes nothing.
            options.Events.OnRedirectToLogin = RedirectRelative;
            options.Events.OnRedirectToAccessDenied = RedirectRelative;
        });

        // Identity's own cookie between the password and the two-factor step (5 minutes): named and secured as ours.
        builder.Services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, options =>
        {
            options.Cookie.Name = "pfnstudio.two-factor";
            options.Cookie.SecurePolicy = secure;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
        });
        return builder;
    }

    private static Task RedirectRelative(RedirectContext<CookieAuthenticationOptions> context)
    {
        var target = new Uri(context.RedirectUri, UriKind.RelativeOrAbsolute);
        context.Response.Redirect(target.IsAbsoluteUri ? target.PathAndQuery + target.Fragment : context.RedirectUri);
        return Task.CompletedTask;
    }
}
