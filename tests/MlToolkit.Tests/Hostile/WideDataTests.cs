using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Internal;
using MlToolkit.Pipeline;
using MlToolkit.Preparation;
using MlToolkit.Preparation.Encoding;
using MlToolkit.Preparation.Imputation;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Hostile;

/// <summary>
/// Issue 13's cliff: the default preparation grew with the cube of the column count (a step appended per column, each fit
/// passing through all the steps before it, a pass over the data per column in the plan). These tests pin the structure
/// that keeps it linear (no timing): a fixed number of transformers and of data passes whatever the number of columns,
/// and the same prepared data as the per-column chain it replaces.
/// </summary>
public class WideDataTests
{
    private const string Label = "label";

    private static readonly string[] Regions = ["north", "south", "east", "west", "centre"];

    /// <summary>
    /// <paramref name="columns"/> feature columns in turn numeric with about 10% missing, numeric, boolean and text with five
    /// categories (about 5% missing), plus a boolean label.
    /// </summary>
    private static DataTable Wide(int columns, int rows, int seed = 7)
    {
        var random = new Random(seed);
        var list = new List<DataTableColumn>(columns + 1);
        for (int c = 0; c < columns; c++)
        {
            string name = "c" + c.ToString(CultureInfo.InvariantCulture);
            list.Add((c % 4) switch
            {
                0 => new NumberColumn(name, [.. Enumerable.Range(0, rows).Select(r => r % 10 == c % 7 ? float.NaN : (float)random.NextDouble())]),
                1 => new NumberColumn(name, [.. Enumerable.Range(0, rows).Select(_ => (float)random.Next(100))]),
                2 => new BooleanColumn(name, [.. Enumerable.Range(0, rows).Select(_ => random.NextDouble() < 0.5)]),
                _ => new TextColumn(name, [.. Enumerable.Range(0, rows).Select(_ => random.NextDouble() < 0.05 ? null : Regions[random.Next(Regions.Length)])]),
            });
        }

        list.Add(new BooleanColumn(Label, [.. Enumerable.Range(0, rows).Select(_ => random.NextDouble() < 0.5)]));
        return new DataTable(list);
    }

    /// <summary>A few columns of every kind the default preparation distinguishes, hashing and free text included.</summary>
    private static DataTable Mixed(int rows, int seed)
    {
        var random = new Random(seed);
        string[] words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];
        var columns = new List<DataTableColumn>();
        for (int k = 0; k < 3; k++)
        {
            string n = k.ToString(CultureInfo.InvariantCulture);
            columns.Add(new NumberColumn("gaps" + n, [.. Enumerable.Range(0, rows).Select(r => r % (5 + k) == 1 ? float.NaN : (float)(random.NextDouble() * 100 - 50))]));
            columns.Add(new TextColumn("region" + n, [.. Enumerable.Range(0, rows).Select(r => r % 9 == k ? null : Regions[random.Next(2 + k, 5)])]));
            columns.Add(new NumberColumn("full" + n, [.. Enumerable.Range(0, rows).Select(_ => (float)random.Next(10))]));
            columns.Add(new BooleanColumn("flag" + n, [.. Enumerable.Range(0, rows).Select(_ => random.NextDouble() < 0.4)]));
        }

        columns.Add(new TextColumn("code", [.. Enumerable.Range(0, rows).Select(_ => "k" + random.Next(400).ToString(CultureInfo.InvariantCulture))]));
        columns.Add(new TextColumn("comment", [.. Enumerable.Range(0, rows).Select(r => $"{words[random.Next(8)]} {words[random.Next(8)]} note {r.ToString(CultureInfo.InvariantCulture)}")]));
        columns.Add(new BooleanColumn(Label, [.. Enumerable.Range(0, rows).Select(_ => random.NextDouble() < 0.5)]));
        return new DataTable(columns);
    }

    private static PreparationContext Context(MLContext ml, SchemaShape shape, IDataView train)
        => new(ml, shape, train, Label, MlTask.BinaryClassification, [Label]);

    /// <summary>The steps and then the feature assembly, composed as a pipeline composes them.</summary>
    private static IEstimator<ITransformer> Compose(MLContext ml, IDataView train, params IPreprocessor[] steps)
    {
        SchemaShape shape = SchemaShapes.Create(train.Schema);
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach (IPreprocessor step in steps)
        {
            IEstimator<ITransformer> estimator = step.CreateEstimator(Context(ml, shape, train));
            shape = estimator.GetOutputSchema(shape);
            chain = chain.Append(estimator);
        }

        return chain.Append(FeatureAssembler.Create(ml, shape, [Label]));
    }

    private static IEnumerable<ITransformer> Leaves(ITransformer transformer)
        => transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Leaves) : [transformer];

    private static int FittedTransformers(int columns, Func<IPreprocessor[]> steps)
    {
        DataTable train = Wide(columns, rows: 300);
        var ml = new MLContext(1);
        return Leaves(Compose(ml, train, steps()).Fit(train)).Count();
    }

    /// <summary>The cursors opened on the training data while the steps are composed and fitted.</summary>
    private static int CursorsToFit(int columns, Func<IPreprocessor[]> steps)
    {
        var train = new CountingDataView(Wide(columns, rows: 300));
        var ml = new MLContext(1);
        Compose(ml, train, steps()).Fit(train);
        return train.Cursors;
    }

    [Fact]
    public void Fit_DefaultPreparation10And1000Columns_SameNumberOfTransformers()
    {
        int narrow = FittedTransformers(10, () => [new AutoPreprocessor()]);
        int wide = FittedTransformers(1000, () => [new AutoPreprocessor()]);

        // Indicators, their conversion, mean imputation, booleans, one-hot, then the concatenation.
        Assert.Equal(6, narrow);
        Assert.Equal(narrow, wide);
    }

    [Fact]
    public void Plan_1000Columns_ReadsTrainingDataOnce()
    {
        var train = new CountingDataView(Wide(1000, rows: 300));

        IReadOnlyDictionary<string, string> plan = new AutoPreprocessor().Plan(Context(new MLContext(1), SchemaShapes.Create(train.Schema), train));

        Assert.Equal(1, train.Cursors);
        Assert.Equal(1000, plan.Count);
        Assert.Equal(250, plan.Values.Count(t => t == "Impute(Mean)+Indicator"));
        Assert.Equal(250, plan.Values.Count(t => t == "Impute(Mean)"));
        Assert.Equal(250, plan.Values.Count(t => t == "ToNumber"));
        Assert.Equal(250, plan.Values.Count(t => t == "OneHot"));
    }

    [Fact]
    public void Plan_TextColumnsNearTheLimits_SameChoicesAsCountingEachColumnAlone()
    {
        const int Rows = 1500;
        string I(int i) => i.ToString(CultureInfo.InvariantCulture);
        DataTable train = new([
            // 101 distinct single words: past MaxOneHotCategories (100), short, so hashed.
            new TextColumn("words", [.. Enumerable.Range(0, Rows).Select(i => "w" + I(i % 101))]),
            // Words are runs of characters other than ' ' (1.5 on average): a tab joins, repeated and leading spaces add none.
            new TextColumn("spaced", [.. Enumerable.Range(0, Rows).Select(i => i % 2 == 0 ? $"  a{I(i)}\tb  " : $"x{I(i)}  y")]),
            new TextColumn("prose", [.. Enumerable.Range(0, Rows).Select(i => $"the quick {I(i)} fox")]),
            // Counting stops at the 1,001st distinct value: the long values after it do not count towards the words.
            new TextColumn("late", [.. Enumerable.Range(0, Rows).Select(i => i < 1100 ? "v" + I(i) : $"one two three four {I(i)}")]),
            // 100 distinct values and missing ones: one-hot.
            new TextColumn("few", [.. Enumerable.Range(0, Rows).Select(i => i % 3 == 0 ? null : "f" + I(i % 100))]),
            new BooleanColumn(Label, [.. Enumerable.Range(0, Rows).Select(i => i % 2 == 0)]),
        ]);
        var options = new AutoPrepareOptions { MinWordsForFreeText = 1.9 };

        IReadOnlyDictionary<string, string> plan = new AutoPreprocessor(options).Plan(Context(new MLContext(1), SchemaShapes.Create(train.Schema), train));

        foreach (TextColumn column in train.Columns.OfType<TextColumn>())
        {
            Assert.Equal(ChooseAlone(column.Values, options), plan[column.Name]);
        }

        Assert.Equal(["Hashing", "Hashing", "FeaturizeText", "Hashing", "OneHot"], new[] { "words", "spaced", "prose", "late", "few" }.Select(c => plan[c]));

        // The choice as it was made, one column at a time: counts until past max(MaxOneHotCategories, 1000) distinct values,
        // words by string.Split(' ', RemoveEmptyEntries).
        static string ChooseAlone(string?[] values, AutoPrepareOptions options)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (string? value in values)
            {
                if (string.IsNullOrEmpty(value))
                {
                    continue;
                }

                counts[value] = counts.GetValueOrDefault(value) + 1;
                if (counts.Count > Math.Max(options.MaxOneHotCategories, 1000))
                {
                    break;
                }
            }

            if (counts.Count <= options.MaxOneHotCategories)
            {
                return "OneHot";
            }

            double words = counts.Sum(p => (double)p.Value * p.Key.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length) / Math.Max(1, counts.Sum(p => p.Value));
            return words >= options.MinWordsForFreeText ? "FeaturizeText" : "Hashing";
        }
    }

    [Fact]
    public void Fit_DefaultPreparation10And1000Columns_SameNumberOfDataPasses()
    {
        int narrow = CursorsToFit(10, () => [new AutoPreprocessor()]);
        int wide = CursorsToFit(1000, () => [new AutoPreprocessor()]);

        Assert.Equal(narrow, wide);
    }

    [Theory]
    [InlineData(ImputationStrategy.Mean)]
    [InlineData(ImputationStrategy.Median)]
    [InlineData(ImputationStrategy.MostFrequent)]
    [InlineData(ImputationStrategy.Constant)]
    public void Fit_ImputerWithIndicators10And1000Columns_SameNumberOfTransformersAndDataPasses(ImputationStrategy strategy)
    {
        IPreprocessor[] Steps() => [new MissingValueImputer(new ImputationOptions { Strategy = strategy, AddMissingIndicator = true }), new CategoricalEncoder(new CategoricalEncodingOptions())];

        Assert.Equal(FittedTransformers(10, Steps), FittedTransformers(1000, Steps));
        Assert.Equal(CursorsToFit(10, Steps), CursorsToFit(1000, Steps));
    }

    [Fact]
    public void Fit_OneHotEncoder10And1000Columns_SameNumberOfTransformersAndDataPasses()
    {
        IPreprocessor[] Steps() => [new CategoricalEncoder(new CategoricalEncodingOptions()), new AutoPreprocessor()];

        Assert.Equal(FittedTransformers(10, Steps), FittedTransformers(1000, Steps));
        Assert.Equal(CursorsToFit(10, Steps), CursorsToFit(1000, Steps));
    }

    [Fact]
    public void FitTransform_DefaultPreparationMixedColumns_SameOutputAsPerColumnChain()
    {
        DataTable train = Mixed(rows: 240, seed: 3);
        DataTable other = Mixed(rows: 60, seed: 4);
        var options = new AutoPrepareOptions { HashBits = 6 };
        IReadOnlyDictionary<string, string> plan = new AutoPreprocessor(options).Plan(Context(new MLContext(1), SchemaShapes.Create(train.Schema), train));
        Assert.Equal("Impute(Mean)+Indicator", plan["gaps0"]);
        Assert.Equal("Impute(Mean)", plan["full1"]);
        Assert.Equal("ToNumber", plan["flag2"]);
        Assert.Equal("OneHot", plan["region1"]);
        Assert.Equal("Hashing", plan["code"]);
        Assert.Equal("FeaturizeText", plan["comment"]);

        ITransformer expected = PerColumnAutoChain(new MLContext(1), train, plan, options).Fit(train);
        ITransformer actual = Compose(new MLContext(1), train, new AutoPreprocessor(options)).Fit(train);

        AssertSameOutput(expected.Transform(train), actual.Transform(train));
        AssertSameOutput(expected.Transform(other), actual.Transform(other));
    }

    [Theory]
    [InlineData(ImputationStrategy.Mean)]
    [InlineData(ImputationStrategy.Median)]
    [InlineData(ImputationStrategy.MostFrequent)]
    [InlineData(ImputationStrategy.Constant)]
    public void FitTransform_ImputerMixedColumns_SameValuesAsPerColumnChain(ImputationStrategy strategy)
    {
        DataTable train = Mixed(rows: 240, seed: 5);
        DataTable other = Mixed(rows: 60, seed: 6);
        var options = new ImputationOptions { Strategy = strategy, AddMissingIndicator = true, ConstantNumber = -2.5f, ConstantText = "none" };
        var ml = new MLContext(1);
        IEstimator<ITransformer> perColumn = PerColumnImputer(ml, train, options).Append(PerColumnOneHot(ml, train, new CategoricalEncodingOptions()));
        ITransformer expected = perColumn.Append(PerColumnAssembly(ml, perColumn.GetOutputSchema(SchemaShapes.Create(train.Schema)))).Fit(train);
        ITransformer actual = Compose(new MLContext(1), train, new MissingValueImputer(options), new CategoricalEncoder(new CategoricalEncodingOptions())).Fit(train);

        AssertSameOutput(expected.Transform(train), actual.Transform(train));
        AssertSameOutput(expected.Transform(other), actual.Transform(other));
    }

    [Fact]
    public void Expressions_MlNet5_BindsTheMultiColumnExpressionConstructor()
    {
        // Without it, text imputation falls back to one expression per column (the same values, k² to apply).
        Assert.True(Expressions.IsMultiColumn);
    }

    [Theory]
    [InlineData(ImputationStrategy.Median)]
    [InlineData(ImputationStrategy.MostFrequent)]
    public void FitSaveLoad_ImputerMixedColumns_LoadedModelGivesTheSameOutput(ImputationStrategy strategy)
    {
        DataTable train = Mixed(rows: 120, seed: 11);
        DataTable other = Mixed(rows: 40, seed: 12);
        var ml = new MLContext(1);
        ITransformer fitted = Compose(ml, train, new MissingValueImputer(new ImputationOptions { Strategy = strategy, AddMissingIndicator = true }), new CategoricalEncoder(new CategoricalEncodingOptions())).Fit(train);
        using var stream = new MemoryStream();
        ml.Model.Save(fitted, train.Schema, stream);
        stream.Position = 0;

        ITransformer loaded = new MLContext(2).Model.Load(stream, out _);

        AssertSameOutput(fitted.Transform(other), loaded.Transform(other));
    }

    [Fact]
    public void FitTransform_OneHotSomeColumnsBeyondMaxCategories_SameSlotsAsPerColumnChain()
    {
        DataTable train = Mixed(rows: 240, seed: 8);
        DataTable other = Mixed(rows: 60, seed: 9);

        // region0 has 3 categories, region1 2 and region2 1 (besides missing); code about 180, comment 240.
        var options = new CategoricalEncodingOptions { MaxCategories = 2 };
        ITransformer expected = PerColumnOneHot(new MLContext(1), train, options).Fit(train);
        ITransformer actual = new CategoricalEncoder(options).CreateEstimator(Context(new MLContext(1), SchemaShapes.Create(train.Schema), train)).Fit(train);

        AssertSameOutput(expected.Transform(train), actual.Transform(train));
        AssertSameOutput(expected.Transform(other), actual.Transform(other));
    }

    [Fact]
    public void Plan_ColumnAddedByEarlierStep_PlansMeanImputationWithoutReadingIt()
    {
        // An imputer with indicators adds gaps0_missing, which the raw training split does not have: the plan used to read
        // every numeric column from the raw split and failed with ML.NET's "Column 'gaps0_missing' not found".
        DataTable train = Mixed(rows: 100, seed: 10);
        var ml = new MLContext(1);
        var options = new ImputationOptions { AddMissingIndicator = true };
        options.Columns.Add("gaps0");
        SchemaShape raw = SchemaShapes.Create(train.Schema);
        SchemaShape shape = new MissingValueImputer(options).CreateEstimator(Context(ml, raw, train)).GetOutputSchema(raw);

        IReadOnlyDictionary<string, string> plan = new AutoPreprocessor().Plan(Context(ml, shape, train));

        Assert.Equal("Impute(Mean)", plan["gaps0_missing"]);
        Assert.Equal("Impute(Mean)+Indicator", plan["gaps1"]);

        // gaps0 has gaps in the raw split, but its indicator exists already: a second one would overwrite it with zeros.
        Assert.Equal("Impute(Mean)", plan["gaps0"]);
    }

    [Fact]
    public async Task RunAsync_ImputeWithIndicatorsThenAuto_TrainsAndKeepsTheImputersIndicator()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 300));

        PipelineResult result = await new PipelineBuilder(3)
            .FromCsv(csv)
            .Label("label")
            .Prepare(p => p.ImputeMissing(new ImputationOptions { Strategy = ImputationStrategy.Median, AddMissingIndicator = true }).Auto())
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 10))
            .Build()
            .RunAsync(cancellationToken: Ct);

        DataTable rows = new([
            new NumberColumn("x1", [1f, 2f]), new NumberColumn("x2", [float.NaN, 3f]), new TextColumn("color", ["red", "blue"]), new BooleanColumn("flag", [true, false]),
        ]);
        IDataView scored = result.Model.Transform(rows);

        // x1, x2, color (3 categories), flag and x2's indicator.
        Assert.Equal(7, ((VectorDataViewType)scored.Schema["Features"].Type).Size);
        Assert.Equal([1f, 0f], scored.GetColumn<float>("x2_missing"));
        Assert.InRange(result.Metrics[Metric.Auc], 0.5, 1.0);
    }

    // The per-column chains that the multi-column steps replace, written as the steps used to be.

    /// <summary>The default preparation with one estimator (or three) per column, in plan order, then a conversion per boolean.</summary>
    private static IEstimator<ITransformer> PerColumnAutoChain(MLContext ml, DataTable train, IReadOnlyDictionary<string, string> plan, AutoPrepareOptions options)
    {
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach ((string column, string treatment) in plan)
        {
            chain = treatment switch
            {
                "Impute(Mean)+Indicator" => chain.Append(ml.Transforms.IndicateMissingValues(column + "_missing", column))
                    .Append(ml.Transforms.Conversion.ConvertType(column + "_missing", column + "_missing", DataKind.Single))
                    .Append(ml.Transforms.ReplaceMissingValues(column, column, MissingValueReplacingEstimator.ReplacementMode.Mean)),
                "Impute(Mean)" => chain.Append(ml.Transforms.ReplaceMissingValues(column, column, MissingValueReplacingEstimator.ReplacementMode.Mean)),
                "ToNumber" => chain.Append(ml.Transforms.Conversion.ConvertType(column, column, DataKind.Single)),
                "OneHot" => chain.Append(ml.Transforms.Categorical.OneHotEncoding(column, column, OneHotEncodingEstimator.OutputKind.Indicator, options.MaxOneHotCategories)),
                "Hashing" => chain.Append(ml.Transforms.Categorical.OneHotHashEncoding(column, column, OneHotEncodingEstimator.OutputKind.Indicator, options.HashBits)),
                _ => chain.Append(ml.Transforms.Text.FeaturizeText(column, column)),
            };
        }

        SchemaShape shape = chain.GetOutputSchema(SchemaShapes.Create(train.Schema));
        return chain.Append(PerColumnAssembly(ml, shape));
    }

    private static IEstimator<ITransformer> PerColumnAssembly(MLContext ml, SchemaShape shape)
    {
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach (SchemaShape.Column column in shape.Where(c => c.Name != Label && c.ItemType == BooleanDataViewType.Instance))
        {
            chain = chain.Append(ml.Transforms.Conversion.ConvertType(column.Name, column.Name, DataKind.Single));
        }

        return chain.Append(ml.Transforms.Concatenate("Features", [.. FeatureAssembler.FeatureColumns(shape, [Label])]));
    }

    /// <summary>
    /// The imputer as it was: per column an indicator (when the training split has a gap), then an expression with the
    /// training split's median or most frequent value (LINQ over the column's values), or ML.NET's mean.
    /// </summary>
    private static IEstimator<ITransformer> PerColumnImputer(MLContext ml, DataTable train, ImputationOptions options)
    {
        bool texts = options.Strategy is ImputationStrategy.MostFrequent or ImputationStrategy.Constant;
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach (DataTableColumn column in train.Columns.Where(c => c.Name != Label))
        {
            string name = column.Name;
            if (column is NumberColumn numbers)
            {
                float[] present = [.. numbers.Values.Where(v => !float.IsNaN(v))];
                if (present.Length < numbers.Values.Length)
                {
                    chain = chain.Append(ml.Transforms.IndicateMissingValues(name + "_missing", name))
                        .Append(ml.Transforms.Conversion.ConvertType(name + "_missing", name + "_missing", DataKind.Single));
                }

                double? value = options.Strategy switch
                {
                    ImputationStrategy.Median => Median(present),
                    ImputationStrategy.MostFrequent => present.GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Select(g => (double)g.Key).FirstOrDefault(),
                    ImputationStrategy.Constant => options.ConstantNumber,
                    _ => null,
                };
                chain = chain.Append(value is { } v
                    ? (IEstimator<ITransformer>)ml.Transforms.Expression(name, $"x => isna(x) ? {ExpressionLiteral.Number(v)} : x", name)
                    : ml.Transforms.ReplaceMissingValues(name, name, MissingValueReplacingEstimator.ReplacementMode.Mean));
            }
            else if (column is TextColumn text && texts)
            {
                string replacement = options.Strategy == ImputationStrategy.Constant
                    ? options.ConstantText
                    : text.Values.Where(v => !string.IsNullOrEmpty(v)).GroupBy(v => v!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault() ?? options.ConstantText;
                chain = chain.Append(ml.Transforms.Expression(name, $"x => x == \"\" ? {ExpressionLiteral.Text(replacement)} : x", name));
            }
        }

        return chain;

        static double Median(float[] values)
        {
            float[] sorted = [.. values.Order()];
            int mid = sorted.Length / 2;
            return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[mid] : ((double)sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    /// <summary>One-hot as it was: per column, ML.NET's encoder, or with the most frequent categories only when there are more.</summary>
    private static IEstimator<ITransformer> PerColumnOneHot(MLContext ml, DataTable train, CategoricalEncodingOptions options)
    {
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach (TextColumn column in train.Columns.OfType<TextColumn>())
        {
            string name = column.Name;
            Dictionary<string, int> counts = column.Values.Where(v => !string.IsNullOrEmpty(v)).GroupBy(v => v!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            IDataView? keep = counts.Count <= options.MaxCategories
                ? null
                : ml.Data.LoadFromEnumerable(counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(options.MaxCategories).Select(p => new Category { Value = p.Key }));
            chain = chain.Append(ml.Transforms.Categorical.OneHotEncoding(name, name, OneHotEncodingEstimator.OutputKind.Indicator, options.MaxCategories, ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence, keep));
        }

        return chain;
    }

    /// <summary>Same visible columns in the same order with the same types, the same slot names and the same values.</summary>
    private static void AssertSameOutput(IDataView expected, IDataView actual)
    {
        DataViewSchema.Column[] want = [.. expected.Schema.Where(c => !c.IsHidden)];
        DataViewSchema.Column[] got = [.. actual.Schema.Where(c => !c.IsHidden)];
        Assert.Equal(want.Select(c => $"{c.Name}:{c.Type}"), got.Select(c => $"{c.Name}:{c.Type}"));
        for (int i = 0; i < want.Length; i++)
        {
            Assert.Equal(SlotNames(want[i]), SlotNames(got[i]));
            Assert.True(Values(expected, want[i]).SequenceEqual(Values(actual, got[i])), $"Column '{want[i].Name}' differs.");
        }
    }

    private static string[] SlotNames(DataViewSchema.Column column)
    {
        if (!column.HasSlotNames())
        {
            return [];
        }

        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        return [.. names.DenseValues().Select(n => n.ToString())];
    }

    /// <summary>Every value as text (floats round-trip, vectors dense), so that any difference shows.</summary>
    private static List<string> Values(IDataView data, DataViewSchema.Column column)
    {
        DataViewType type = column.Type;
        if (type is VectorDataViewType vector && vector.ItemType == NumberDataViewType.Single)
        {
            return [.. data.GetColumn<VBuffer<float>>(column).Select(v => string.Join(" ", v.DenseValues().Select(f => f.ToString("R", CultureInfo.InvariantCulture))))];
        }

        if (type == NumberDataViewType.Single)
        {
            return [.. data.GetColumn<float>(column).Select(f => f.ToString("R", CultureInfo.InvariantCulture))];
        }

        if (type == BooleanDataViewType.Instance)
        {
            return [.. data.GetColumn<bool>(column).Select(b => b.ToString())];
        }

        return type == TextDataViewType.Instance
            ? [.. data.GetColumn<ReadOnlyMemory<char>>(column).Select(t => t.ToString())]
            : throw new InvalidOperationException($"Unexpected column type {type} for '{column.Name}'.");
    }

    private sealed class Category
    {
        public string Value { get; set; } = string.Empty;
    }

    /// <summary>An <see cref="IDataView"/> over another that counts the cursors opened on it: one per pass over the data.</summary>
    private sealed class CountingDataView(IDataView inner) : IDataView
    {
        private int _cursors;

        public int Cursors => _cursors;

        public bool CanShuffle => inner.CanShuffle;

        public DataViewSchema Schema => inner.Schema;

        public long? GetRowCount() => inner.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            Interlocked.Increment(ref _cursors);
            return inner.GetRowCursor(columnsNeeded, rand);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        {
            Interlocked.Increment(ref _cursors);
            return inner.GetRowCursorSet(columnsNeeded, n, rand);
        }
    }
}
