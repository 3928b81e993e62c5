using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace PfnStudio.Tokens.Predictions;

/// <summary>A Gaussian-process model: zero prior mean, a stationary kernel, Gaussian observation noise.</summary>
/// <param name="Kernel"><c>rbf</c>: s·exp(−r²/2ℓ²); <c>matern52</c>: s·(1 + √5r/ℓ + 5r²/3ℓ²)·exp(−√5r/ℓ); r is the Euclidean distance.</param>
/// <param name="Lengthscale">ℓ &gt; 0, in the units of the features.</param>
/// <param name="Outputscale">s &gt; 0: the signal variance k(x, x).</param>
/// <param name="Noise">σ² &gt; 0: the observation noise variance.</param>
internal sealed record GaussianProcessModel(string Kernel, double Lengthscale, double Outputscale, double Noise)
{
    /// <summary>The model used when a request names none: rbf, ℓ = 1, s = 1, σ² = 1e-4.</summary>
    public static GaussianProcessModel Default { get; } = new("rbf", 1, 1, 1e-4);
}

/// <summary>The posterior predictive at each query point.</summary>
/// <param name="Mean">Predictive mean of y.</param>
/// <param name="Variance">Predictive variance of y: the latent variance plus the observation noise (so ≥ σ²).</param>
internal sealed record GaussianProcessPrediction(double[] Mean, double[] Variance);

/// <summary>The kernel matrix stayed not positive definite after every jitter retry.</summary>
internal sealed class KernelNotPositiveDefiniteException(string message) : Exception(message);

/// <summary>
/// Exact Gaussian-process regression: with K = k(X, X) + σ²I = LLᵀ (Cholesky, MathNet.Numerics), the
/// predictive mean at x* is k*ᵀK⁻¹y and the predictive variance is k(x*, x*) − k*ᵀK⁻¹k* + σ².
/// When the factorisation fails (rounding with tiny noise and repeated points), a growing jitter is added to
/// the diagonal and it is tried again.
/// </summary>
internal static class GaussianProcess
{
    /// <summary>Query points handled per block, bounding memory at n × 256 doubles.</summary>
    private const int QueryBlock = 256;

    private static readonly double[] JitterSteps = [0, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6];

    /// <summary>Predicts y at <paramref name="queryX"/> given observations (<paramref name="contextX"/>, <paramref name="contextY"/>).</summary>
    /// <param name="model">Kernel and noise.</param>
    /// <param name="contextX">n points of d features (n ≥ 1, rectangular, finite).</param>
    /// <param name="contextY">n observed values.</param>
    /// <param name="queryX">m points of d features.</param>
    /// <param name="cancellationToken">Checked between blocks of query points.</param>
    /// <exception cref="KernelNotPositiveDefiniteException">Cholesky failed even with the largest jitter.</exception>
    public static GaussianProcessPrediction Predict(
        GaussianProcessModel model, double[][] contextX, double[] contextY, double[][] queryX, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(contextX);
        ArgumentNullException.ThrowIfNull(contextY);
        ArgumentNullException.ThrowIfNull(queryX);

        var n = contextX.Length;
        var kernel = KernelFunction(model);
        var k = Matrix<double>.Build.Dense(n, n, (i, j) => kernel(contextX[i], contextX[j]));
        var cholesky = Factorize(k, model);
        var alpha = cholesky.Solve(Vector<double>.Build.DenseOfArray(contextY));

        var mean = new double[queryX.Length];
        var variance = new double[queryX.Length];
        for (var start = 0; start < queryX.Length; start += QueryBlock)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(QueryBlock, queryX.Length - start);
            var cross = Matrix<double>.Build.Dense(n, count, (i, j) => kernel(contextX[i], queryX[start + j]));
            var solved = cholesky.Solve(cross);
            for (var j = 0; j < count; j++)
            {
                var column = cross.Column(j);
                mean[start + j] = column.DotProduct(alpha);

                // The latent variance cannot be negative; rounding can make it so by a hair.
                var latent = Math.Max(0, model.Outputscale - column.DotProduct(solved.Column(j)));
                variance[start + j] = latent + model.Noise;
            }
        }

        return new GaussianProcessPrediction(mean, variance);
    }

    private static Cholesky<double> Factorize(Matrix<double> k, GaussianProcessModel model)
    {
        var meanDiagonal = k.Diagonal().Average();
        foreach (var step in JitterSteps)
        {
            var candidate = k.Clone();
            candidate.SetDiagonal(k.Diagonal() + model.Noise + (step * meanDiagonal));
            try
            {
                return candidate.Cholesky();
            }
            catch (ArgumentException)
            {
                // Not positive definite at this jitter: try the next, larger one.
            }
        }

        throw new KernelNotPositiveDefiniteException(
            "The kernel matrix is not positive definite even with jitter; increase the noise or remove repeated context points.");
    }

    private static Func<double[], double[], double> KernelFunction(GaussianProcessModel model)
    {
        var l = model.Lengthscale;
        var s = model.Outputscale;
        return model.Kernel switch
        {
            "rbf" => (a, b) => s * Math.Exp(-SquaredDistance(a, b) / (2 * l * l)),
            "matern52" => (a, b) =>
            {
                var scaled = Math.Sqrt(5 * SquaredDistance(a, b)) / l;
                return s * (1 + scaled + (scaled * scaled / 3)) * Math.Exp(-scaled);
            },
            _ => throw new ArgumentException($"Unknown kernel \"{model.Kernel}\".", nameof(model)),
        };
    }

    private static double SquaredDistance(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            sum += d * d;
        }

        return sum;
    }
}
