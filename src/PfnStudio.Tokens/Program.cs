using PfnStudio.Tokens.Accounts;
using PfnStudio.Tokens.Authentication;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;
using PfnStudio.Tokens.Operator;
using PfnStudio.Tokens.Organizations;
using PfnStudio.Tokens.PersonalAccessTokens;
using PfnStudio.Tokens.PersonalAccessTokens.LeakReports;
using PfnStudio.Tokens.Predictions;
using PfnStudio.Tokens.Projects;

// Help and a command line that does not parse are answered before any host is built: no port, no database.
if (OperatorCommandLine.AnswerWithoutHost(args, Console.Out, Console.Error) is { } answered)
{
    return answered;
}

try
{
    var builder = WebApplication.CreateBuilder(args);

    builder.AddLogging();
    builder.Services.AddTrustedForwardedHeaders();
    builder.AddRequestBodyLimits();
    builder.AddOperatorCommandLine(args);
    builder.AddTokensData();
    builder.AddAccounts();
    builder.Services.AddPersonalAccessTokens();
    builder.Services.AddLeakedTokenReports();
    builder.Services.AddOrganizations();
    builder.Services.AddAuthentication().AddPersonalAccessToken();
    builder.Services.AddAuthorizationBuilder().AddPersonalAccessTokenPolicy();
    builder.Services.AddRazorPages(options => options.Conventions.AuthorizePage("/ApiTokens"))
        .AddMvcOptions(options => options.Filters.Add<PfnStudio.Tokens.Pages.UnreadableCheckboxFilter>());
    builder.AddPredictLimits();
    builder.AddProjectApiLimits();
    builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
    {
        StoreUnavailable.Describe(context);
        ApiProblems.DescribeFrameworkAnswer(context);
        TokenRedaction.RedactProblem(context);
    });
    builder.Services.AddApiDocument(PersonalAccessTokenDefaults.AuthorizationPolicy);

    var app = builder.Build();

    // Validate options now, so a bad setting is one line from the catch below, not a host stack trace.
    app.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
    await app.MigrateDatabaseAsync();
    await app.EnsureDefaultOrganizationAsync();
    if (OperatorCommandLine.IsCommand(args))
    {
        return await app.RunOperatorCommandAsync(args);
    }

    app.UseSecurityHeaders();
    app.UseRequestLogging(PersonalAccessTokenClaimTypes.TokenPrefix);
    app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = StoreUnavailable.StatusCodeFor });
    app.UseRequestBodyLimits();
    if (!app.Environment.IsDevelopment())
    {
        app.UseHsts();
        app.UseHttpsRedirection();
    }

    app.UseHttpsForPages();

    app.UseStatusCodePages();
    app.UseStaticFiles();
    app.UseRouting();
    app.UseAuthentication();
    app.UseAuthorization();
    app.UseRateLimiter();

    app.MapRazorPages();
    app.MapMeApi();
    app.MapTokensApi();
    app.MapLeakedTokenApi();
    app.MapProjectApi();
    app.MapPredictApi();
    app.MapApiDocument();
    app.MapHealthChecks("/healthz");

    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    // One readable line for the operator (a bad setting, an unreachable store), not a stack trace.
    // The outer message names the setting ("Failed to convert configuration value 'x' at 'Section:Key' …");
    // the inner one says why.
    var reason = ex.InnerException is { } inner && !ex.Message.Contains(inner.Message, StringComparison.Ordinal)
        ? $"{ex.Message} ({inner.Message})"
        : ex.Message;
    await Console.Error.WriteLineAsync($"PfnStudio.Tokens failed to start: {reason}");
    return 1;
}

/// <summary>The web host's entry point (public for <c>WebApplicationFactory&lt;Program&gt;</c>).</summary>
public partial class Program;
