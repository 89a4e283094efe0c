using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using MlToolkit.Data;
using MlToolkit.Pipeline;
using MlToolkit.Preparation.Imputation;
using MlToolkit.Preparation.Split;
using MlToolkit.Training;

namespace MlToolkit.Tests.Preparation.Imputation;

public class ImputationPipelineTests
{
    private const int Seed = 11;
    private const int RowCount = 45;

    /// <summary>A row of the regression data; public so that ML.NET can read it.</summary>
    public sealed class Row
    {
        public float X { get; set; }

        public float Y { get; set; }
    }

    /// <summary>X = i² (so every subset has its own mean and median), missing in every fourth row; Y = i.</summary>
    private static Row[] Rows()
        => [.. Enumerable.Range(0, RowCount).Select(i => new Row { X = i % 4 == 1 ? float.NaN : i * i, Y = i })];

    private static double Median(IEnumerable<float> values)
    {
        double[] sorted = [.. values.Where(v => !float.IsNaN(v)).Select(v => (double)v).Order()];
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double Mean(IEnumerable<float> values) => values.Where(v => !float.IsNaN(v)).Average(v => (double)v);

    [Theory]
    [InlineData("Mean")]
    [InlineData("Median")]
    [InlineData("Auto")]
    public async Task RunAsync_ImputeX_ModelImputesStatisticOfTrainingRowsOnly(string strategy)
    {
        Row[] rows = Rows();
        PipelineBuilder builder = new PipelineBuilder(Seed).FromEnumerable(rows).Label("Y");
        builder = strategy switch
        {
            "Mean" => builder.Prepare(p => p.ImputeMissing(ImputationStrategy.Mean, "X")),
            "Median" => builder.Prepare(p => p.ImputeMissing(ImputationStrategy.Median, "X")),
            _ => builder, // no preparation: AutoPreprocessor, which mean-imputes numbers
        };

        PipelineResult result = await builder
            .Split(test: 0.5)
            .Train(Trainers.Regression.Sdca(new SdcaRegressionTrainer.Options { NumberOfThreads = 1, MaximumNumberOfIterations = 10 }))
            .Build()
            .RunAsync(cancellationToken: TestContext.Current.CancellationToken);

        // Reproduce the pipeline's split: regression resolves Auto to Random, which depends only on the row count and the seed.
        DataTable table = DataTable.FromDataView(new MLContext().Data.LoadFromEnumerable(rows), "rows", TestContext.Current.CancellationToken);
        SplitIndexes parts = DataSplitter.Split(table, new SplitOptions { TestFraction = 0.5 }, SplitStrategy.Random, "Y", Seed);
        Assert.Equal(22, parts.Train.Length); // 45 * 0.5 = 22.5, rounded away from zero to 23 test rows
        Assert.Equal(parts.Train.Length, result.TrainRows);
        Assert.Equal(parts.Test.Length, result.TestRows);
        Assert.Equal(0, result.ValidationRows);

        Func<IEnumerable<float>, double> statistic = strategy == "Median" ? Median : Mean;
        double trainStatistic = statistic(parts.Train.Select(r => rows[r].X));
        double testStatistic = statistic(parts.Test.Select(r => rows[r].X));
        double allStatistic = statistic(rows.Select(r => r.X));
        Assert.True(Math.Abs(trainStatistic - allStatistic) > 10, "the data must tell training-only imputation from imputation over all rows");
        Assert.True(Math.Abs(trainStatistic - testStatistic) > 10, "the data must tell training-only imputation from imputation over the test rows");

        var input = new DataTable([new NumberColumn("X", [float.NaN, 5f]), new NumberColumn("Y", [0f, 0f])]);
        IDataView scored = result.Model.Transform(input);

        float[] imputed = [.. scored.GetColumn<float>("X")];
        Assert.Equal(trainStatistic, imputed[0], 0.01);
        Assert.Equal(5f, imputed[1]);
    }
}
