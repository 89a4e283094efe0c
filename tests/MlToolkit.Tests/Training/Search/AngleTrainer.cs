using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Training;
using MlToolkit.Training.Search;

namespace MlToolkit.Tests.Training.Search;

/// <summary>
/// A test trainer with a known optimum: it scores each row as cos(θ)·x₁ + sin(θ)·x₂ for its angle θ, on data whose label
/// is x₁ − x₂ &gt; 0 (plus noise), so AUC peaks at θ = −45° and falls off on either side. Its "fit" can be made slow, can
/// call back when it starts, and counts how many fits run at once.
/// </summary>
internal sealed class AngleTrainer(double angle, TimeSpan fitTime, Action? onFit = null) : TrainerBase("Angle", MlTask.BinaryClassification)
{
    private static int s_running;
    private static int s_maxRunning;

    public static int MaxConcurrentFits => Volatile.Read(ref s_maxRunning);

    public static void ResetConcurrency()
    {
        Volatile.Write(ref s_running, 0);
        Volatile.Write(ref s_maxRunning, 0);
    }

    /// <summary>Angles from −90° to 90°; each fit takes at least <paramref name="fitTime"/> and first calls <paramref name="onFit"/>.</summary>
    public static SearchSpace<AngleOptions> Space(TimeSpan fitTime = default, Action? onFit = null)
        => new SearchSpace<AngleOptions>("Angle", MlTask.BinaryClassification, () => new AngleOptions(), o => new AngleTrainer(o.Angle, fitTime, onFit))
            .Double(o => o.Angle, -90, 90);

    /// <summary>Rows with x₁, x₂ uniform in [−1, 1] and a label x₁ − x₂ &gt; noise.</summary>
    public static Row[] Data(int rows, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, rows).Select(_ =>
        {
            float x1 = (float)((random.NextDouble() * 2) - 1), x2 = (float)((random.NextDouble() * 2) - 1);
            return new Row { X1 = x1, X2 = x2, Label = x1 - x2 > (random.NextDouble() - 0.5) * 0.6 };
        })];
    }

    public override IEstimator<ITransformer> CreateEstimator(TrainingContext context)
    {
        float c = (float)Math.Cos(angle * Math.PI / 180), s = (float)Math.Sin(angle * Math.PI / 180);
        IEstimator<ITransformer> mapping = context.MLContext.Transforms.CustomMapping<Input, Output>((input, output) =>
        {
            float score = (c * input.Features[0]) + (s * input.Features[1]);
            output.Score = score;
            output.Probability = 1 / (1 + MathF.Exp(-4 * score));
            output.PredictedLabel = score > 0;
        }, contractName: null);
        return new SlowFit(mapping, fitTime, onFit);
    }

    public sealed class AngleOptions
    {
        public double Angle { get; set; }
    }

    public sealed class Row
    {
        public float X1 { get; set; }

        public float X2 { get; set; }

        public bool Label { get; set; }
    }

    public sealed class Input
    {
        [VectorType(2)]
        public float[] Features { get; set; } = [];
    }

    public sealed class Output
    {
        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    /// <summary>Calls <paramref name="onFit"/> and waits <paramref name="fitTime"/> in <c>Fit</c>, counting concurrent fits.</summary>
    private sealed class SlowFit(IEstimator<ITransformer> inner, TimeSpan fitTime, Action? onFit) : IEstimator<ITransformer>
    {
        public ITransformer Fit(IDataView input)
        {
            onFit?.Invoke();
            int now = Interlocked.Increment(ref s_running);
            int max;
            while ((max = Volatile.Read(ref s_maxRunning)) < now && Interlocked.CompareExchange(ref s_maxRunning, now, max) != max)
            {
            }

            try
            {
                if (fitTime > TimeSpan.Zero)
                {
                    Thread.Sleep(fitTime);
                }

                return inner.Fit(input);
            }
            finally
            {
                Interlocked.Decrement(ref s_running);
            }
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);
    }
}
