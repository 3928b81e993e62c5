using System.ComponentModel.DataAnnotations;

namespace PfnStudio.Tokens.Predictions;

/// <summary>
/// The body of a Predict call, deserialized by System.Text.Json with <see cref="PredictRequestReader.JsonOptions"/>
/// (numbers only as JSON numbers, property names as written) and then checked by <see cref="PredictRequestReader"/>.
/// Members are nullable so that a missing one is the validator's message naming it, not a serializer exception.
/// </summary>
internal sealed class PredictRequest
{
    /// <summary>A model spec pushed to the project (its latest version), or null for the default gp model (rbf, ℓ = 1, s = 1, σ² = 1e-4).</summary>
    public string? Model { get; init; }

    /// <summary>Observations: 1 to 2,000 points of 1 to 100 features, and one value per point.</summary>
    [Required]
    public PredictContext? Context { get; init; }

    /// <summary>Where to predict: 1 to 10,000 points with the context's number of features.</summary>
    [Required]
    public PredictQuery? Query { get; init; }
}

/// <summary>The observations of a Predict call.</summary>
internal sealed class PredictContext
{
    /// <summary>Points, each an array of finite numbers.</summary>
    [Required]
    public double[]?[]? X { get; init; }

    /// <summary>One finite value per point.</summary>
    [Required]
    public double[]? Y { get; init; }
}

/// <summary>The query points of a Predict call.</summary>
internal sealed class PredictQuery
{
    /// <summary>Points, each an array of finite numbers.</summary>
    [Required]
    public double[]?[]? X { get; init; }
}
