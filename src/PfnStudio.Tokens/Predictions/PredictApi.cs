using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using PfnStudio.Tokens.Data;
using PfnStudio.Tokens.Infrastructure;
using PfnStudio.Tokens.Projects;
using PfnStudio.Tokens.Projects.Artifacts;

namespace PfnStudio.Tokens.Predictions;

/// <summary>
/// <c>POST /projects/{project}/runs/v0_1/predict</c>: the exact Gaussian-process posterior predictive for every
/// query point. Every call on a project the caller can see is recorded as a run, whatever its outcome.
/// </summary>
internal static partial class PredictApi
{
    /// <summary>Maps the route on the personal access token policy.</summary>
    public static IEndpointRouteBuilder MapPredictApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/projects/{project}/runs/v0_1/predict", PredictAsync)
            .RequireAuthorization(Authentication.PersonalAccessTokenDefaults.PolicyFor(PersonalAccessTokens.PersonalAccessTokenScopes.Predict))
            .RequireRateLimiting(PredictLimits.Policy)
            .WithTags("Predict")
            .WithName("Predict")
            .WithSummary("Posterior predictive mean and variance of y at each query point, given the context, under a Gaussian-process model.")
            .Accepts<PredictRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return routes;
    }

    internal static async Task<Results<Ok<PredictResponse>, ValidationProblem, ProblemHttpResult>> PredictAsync(
        string project, HttpContext context, TokensDbContext db, TimeProvider time, ILogger<PredictResponse> logger,
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var token = context.Token();
        var (projectId, refused) = await context.ResolveProjectAsync(db, project, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var run = new Run
        {
            ProjectId = projectId,
            ModelName = ArtifactNames.BuiltInPrior,
            Status = RunStatuses.Rejected,
            CreatedAt = time.GetUtcNow(),
            UserId = token.UserId,
            TokenPrefix = token.Prefix,
        };

        var body = await BoundedBody.ReadAsync(context.Request, PredictRequestReader.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            await RecordAsync(db, run, "Request body too large.", started, time);
            return ApiProblems.TooLarge("A Predict request", PredictRequestReader.MaxBodyBytes);
        }

        var (input, error) = PredictRequestReader.Read(body);
        if (error is not null)
        {
            run.ContextSize = error.ContextSize;
            run.QuerySize = error.QuerySize;
            if (!error.IsBadName)
            {
                await RecordAsync(db, run, error.Message, started, time);
            }

            return ApiProblems.Invalid(error.Field, error.Message);
        }

        run.ContextSize = input!.ContextX.Length;
        run.QuerySize = input.QueryX.Length;
        var model = GaussianProcessModel.Default;
        if (input.Model is { } name)
        {
            run.ModelName = name; // follows the name rule and fits: the reader refused anything else
            var spec = await db.ModelSpecs.AsNoTracking()
                .Where(m => m.ProjectId == projectId && m.Name == name)
                .OrderByDescending(m => m.Version)
                .FirstOrDefaultAsync(cancellationToken);
            if (spec is null)
            {
                var message = $"model: no model spec named \"{name}\" in project \"{project}\"; push it first or omit model for the default gp model.";
                await RecordAsync(db, run, message, started, time);
                return ApiProblems.Invalid("model", message);
            }

            run.ModelVersion = spec.Version;

            // A pushed prior is Python source for training a network; this service has no trained network to run,
            // so it answers only where the exact Bayesian answer is computable: the built-in Gaussian process.
            if (spec.PriorName != ArtifactNames.BuiltInPrior)
            {
                var message = $"model: \"{name}\" uses the pushed prior \"{spec.PriorName}\"; predictions are computed only for models on the built-in gp prior.";
                await RecordAsync(db, run, message, started, time);
                return ApiProblems.Invalid("model", message);
            }

            model = new GaussianProcessModel(spec.Kernel, spec.Lengthscale, spec.Outputscale, spec.Noise);
        }

        GaussianProcessPrediction prediction;
        try
        {
            prediction = GaussianProcess.Predict(model, input.ContextX, input.ContextY, input.QueryX, cancellationToken);
        }
        catch (KernelNotPositiveDefiniteException ex)
        {
            return await FailedAsync(db, run, ex.Message, started, time);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller went away mid-computation; the run is still recorded, then the request ends.
            run.Status = RunStatuses.Failed;
            await RecordAsync(db, run, "The client closed the connection before the prediction finished.", started, time);
            throw;
        }

        if (!prediction.Mean.All(double.IsFinite) || !prediction.Variance.All(double.IsFinite))
        {
            return await FailedAsync(db, run,
                "The prediction overflowed (values too large for double precision); rescale the features or values.", started, time);
        }

        run.Status = RunStatuses.Succeeded;
        await RecordAsync(db, run, null, started, time);
        PredictLog.Predicted(logger, run.Id, project, run.ContextSize, run.QuerySize, token.Prefix);
        return TypedResults.Ok(new PredictResponse
        {
            RunId = run.Id,
            Model = run.ModelName,
            ModelVersion = run.ModelVersion,
            Mean = prediction.Mean,
            Variance = prediction.Variance,
        });
    }

    private static async Task<ProblemHttpResult> FailedAsync(
        TokensDbContext db, Run run, string message, long started, TimeProvider time)
    {
        run.Status = RunStatuses.Failed;
        await RecordAsync(db, run, message, started, time);
        return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The prediction could not be computed", detail: message);
    }

    // Recorded even when the client has gone away, so the run list tells the truth about every call.
    private static async Task RecordAsync(TokensDbContext db, Run run, string? error, long started, TimeProvider time)
    {
        run.Error = error is { Length: > Run.ErrorMaxLength } ? error[..Run.ErrorMaxLength] : error;
        run.DurationMs = Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 3);
        db.Runs.Add(run);
        await db.SaveChangesAsync(CancellationToken.None);
    }
}

/// <summary>The answer of a Predict call.</summary>
internal sealed class PredictResponse
{
    /// <summary>The id of the run recorded for this call.</summary>
    public required long RunId { get; init; }

    /// <summary>The model used: a model spec's name, or <c>gp</c> for the default model.</summary>
    public required string Model { get; init; }

    /// <summary>The model spec's version, or null for the default model.</summary>
    public required int? ModelVersion { get; init; }

    /// <summary>Predictive mean of y at each query point.</summary>
    public required IReadOnlyList<double> Mean { get; init; }

    /// <summary>Predictive variance of y at each query point (observation noise included, so ≥ the noise).</summary>
    public required IReadOnlyList<double> Variance { get; init; }
}

/// <summary>Log events of the Predict API.</summary>
internal static partial class PredictLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information,
        Message = "Run {RunId} in {Project}: predicted {QuerySize} points from {ContextSize} (token {TokenPrefix})")]
    public static partial void Predicted(ILogger logger, long runId, string project, int contextSize, int querySize, string tokenPrefix);
}
