using System.Globalization;
using System.Text;
using CsvHelper;
using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;
using MlToolkit.Pipeline;
using MlToolkit.Training;
using static MlToolkit.Tests.Extraction.Csv.CsvTestReader;

namespace MlToolkit.Tests.Hostile;

/// <summary>
/// A numeric column with a stray token in the inference sample must not quietly become a text category, and values a
/// number column cannot hold (infinities, numbers beyond the float range) are named by kind.
/// </summary>
public class CsvHostileInferenceTests
{
    /// <summary>1,200 rows of a learnable binary problem; row 700 (line 701) has <c>n/a </c> for <c>income</c>.</summary>
    private static string Income(string token = "n/a ")
    {
        var random = new Random(13);
        var csv = new StringBuilder("income,age,region,label\n");
        string[] regions = ["north", "south", "east", "west"];
        for (int i = 1; i <= 1200; i++)
        {
            double income = 20 + (random.NextDouble() * 80);
            int age = 18 + random.Next(60);
            bool label = income + (random.NextDouble() * 20) > 70;
            string incomeText = i == 700 ? token : income.ToString("F2", CultureInfo.InvariantCulture);
            csv.Append(CultureInfo.InvariantCulture, $"{incomeText},{age},{regions[random.Next(4)]},{(label ? "yes" : "no")}\n");
        }

        return csv.ToString();
    }

    [Fact]
    public void GetSchema_NumericColumnWithOneStrayToken_RefusedNamingColumnLineCountAndAdvice()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Income());

        CsvDataException ex = Assert.Throws<CsvDataException>(() => CsvDataSource.FromFile(path).GetSchema());

        Assert.Equal("income", ex.Column);
        Assert.Equal(701, ex.Line);
        Assert.Equal(ColumnKind.Number, ex.ExpectedKind);
        Assert.Contains("column 'income' is numeric but for 1 of its 1000 non-missing sampled values: a 3-character value (1 time, first on line 701)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("add it to MissingValues", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ColumnTypes[\"income\"] = ColumnKind.Text", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AllowMostlyNumericText", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("n/a", ex.Message, StringComparison.Ordinal);
        Assert.Contains("IncludeValuesInErrors", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSchema_StrayTokenWithIncludeValuesInErrors_QuotesTheTokenInTheAdvice()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Income());

        CsvDataException ex = Assert.Throws<CsvDataException>(() => CsvDataSource.FromFile(path, new CsvSourceOptions { IncludeValuesInErrors = true }).GetSchema());

        Assert.Contains("'n/a' (1 time, first on line 701)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MissingValues.Add(\"n/a\")", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_StrayTokenByDefault_RefusedBeforeTraining_AndWithTheTokenAsMissingTrainsOnANumber()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Income());

        // By default the pipeline does not build: the source's schema is refused with the advice.
        var refused = Assert.Throws<PipelineValidationException>(() => new PipelineBuilder(seed: 1)
            .FromCsv(path).Label("label").Train(Trainers.Binary.LightGbm()).Build());
        string problem = Assert.Single(refused.Problems);
        Assert.Contains("column 'income' is numeric but for 1", problem, StringComparison.Ordinal);
        Assert.Contains("MissingValues", problem, StringComparison.Ordinal);

        // With the token as a missing value the column stays a number, the stray value is NaN, and the run trains.
        PipelineResult result = await new PipelineBuilder(seed: 1)
            .FromCsv(path, csv => csv.MissingValues.Add("n/a"))
            .Label("label")
            .Train(Trainers.Binary.LightGbm())
            .Build()
            .RunAsync(cancellationToken: TestContext.Current.CancellationToken);

        ColumnQuality income = Assert.Single(result.DataQuality.Columns, c => c.Name == "income");
        Assert.Equal(ColumnKind.Number, income.Kind);
        Assert.Equal(1, income.Missing);
        Assert.Equal(1200, result.DataQuality.Rows);
    }

    [Fact]
    public async Task ExtractAsync_StrayTokenAddedToMissingValues_ReadsNaNAndStaysNumeric()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Income());
        var options = new CsvSourceOptions();
        options.MissingValues.Add("n/a");
        CsvDataSource source = CsvDataSource.FromFile(path, options);

        Assert.Equal(ColumnKind.Number, Kinds(source)["income"]);
        (DataTable table, _) = await ReadAsync(source);

        float[] income = Numbers(table, "income");
        Assert.Equal(1200, income.Length);
        Assert.True(float.IsNaN(income[699]));
        Assert.Equal(1199, income.Count(float.IsFinite));
    }

    [Fact]
    public async Task ExtractAsync_AllowMostlyNumericText_ReadsTheColumnAsTextExplicitly()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Income());
        CsvDataSource source = CsvDataSource.FromFile(path, new CsvSourceOptions { AllowMostlyNumericText = true });

        Assert.Equal(ColumnKind.Text, Kinds(source)["income"]);
        (DataTable table, _) = await ReadAsync(source);
        Assert.Equal("n/a", Texts(table, "income")[699]);
    }

    [Fact]
    public async Task ExtractAsync_ColumnDeclaredNumber_StrayTokenFailsAtItsLineAsNotANumber()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Income());
        var options = new CsvSourceOptions();
        options.ColumnTypes["income"] = ColumnKind.Number;

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Equal(701, ex.Line);
        Assert.Equal("income", ex.Column);
        Assert.Contains("line 701: column 'income' expected a finite number but found a value that is not a number.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSchema_SeveralMostlyNumericColumns_AllListedInOneError()
    {
        using TempFolder folder = TestData.TempFolder();
        var csv = new StringBuilder("a,b,c\n");
        for (int i = 1; i <= 100; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{(i == 5 ? "-" : i)},{(i % 25 == 0 ? "unknown" : i)},t{i}\n");
        }

        string path = folder.Write("data.csv", csv.ToString());

        CsvDataException ex = Assert.Throws<CsvDataException>(() => CsvDataSource.FromFile(path).GetSchema());

        Assert.Equal("a", ex.Column);
        Assert.Equal(6, ex.Line);
        Assert.Contains("column 'a' is numeric but for 1 of its 100 non-missing sampled values: a 1-character value (1 time, first on line 6)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("column 'b' is numeric but for 4 of its 100 non-missing sampled values: a 7-character value (4 times, first on line 26)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("column 'c'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSchema_InfinityTokenInSample_IsNamedAsAnInfinity()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Income("-inf"));

        CsvDataException ex = Assert.Throws<CsvDataException>(() => CsvDataSource.FromFile(path).GetSchema());

        Assert.Contains("numeric but for 1 of its 1000 non-missing sampled values: an infinity (1 time, first on line 701)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSchema_ColumnThatIsMostlyText_StaysText()
    {
        using TempFolder folder = TestData.TempFolder();
        var csv = new StringBuilder("code\n");
        for (int i = 1; i <= 100; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{(i % 5 == 0 ? i.ToString(CultureInfo.InvariantCulture) : $"A{i}")}\n");
        }

        string path = folder.Write("data.csv", csv.ToString());

        Assert.Equal(ColumnKind.Text, Kinds(CsvDataSource.FromFile(path))["code"]);
    }

    [Fact]
    public void GetSchema_StrayTokenBeyondTheSample_DoesNotChangeTheInferredKind()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Income());

        Assert.Equal(ColumnKind.Number, Kinds(CsvDataSource.FromFile(path, new CsvSourceOptions { InferenceSampleRows = 500 }))["income"]);
    }

    // ---- Values a number column cannot hold --------------------------------------------------

    [Theory]
    [InlineData("inf", "an infinity")]
    [InlineData("-inf", "an infinity")]
    [InlineData("Infinity", "an infinity")]
    [InlineData("-Infinity", "an infinity")]
    [InlineData("+Infinity", "an infinity")]
    [InlineData("∞", "an infinity")]
    [InlineData("-∞", "an infinity")]
    [InlineData("1e39", "a number beyond the range of a 32-bit float")]
    [InlineData("-1e39", "a number beyond the range of a 32-bit float")]
    [InlineData("3.5e38", "a number beyond the range of a 32-bit float")]
    [InlineData("n/a", "a value that is not a number")]
    public async Task ExtractAsync_ValueANumberColumnCannotHold_MessageNamesLineColumnAndKind(string value, string kind)
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", $"id,x\n1,2.5\n2,{value}\n3,1\n");
        var options = new CsvSourceOptions();
        options.ColumnTypes["x"] = ColumnKind.Number;

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Equal(3, ex.Line);
        Assert.Equal("x", ex.Column);
        Assert.Equal(ColumnKind.Number, ex.ExpectedKind);
        Assert.Contains($"{path}, line 3: column 'x' expected a finite number but found {kind}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain($"'{value}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_InfinityBeyondTheSampleWithIncludeValues_NamesKindAndValue()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,x\n1,2.5\n2,3\n3,Infinity\n");

        CsvDataException ex = await FailsAsync(path, new CsvSourceOptions { IncludeValuesInErrors = true, InferenceSampleRows = 2 });

        Assert.Contains("line 4: column 'x' expected a finite number but found an infinity ('Infinity')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("inferred as a number from the first 2 rows; add the value to MissingValues", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData("-NaN")]
    public async Task ExtractAsync_LiteralNaNInANumberColumn_IsMissingAndCounted(string token)
    {
        // Decision pinned: NaN written out is a missing number (as NumPy writes it, and as the database source reads a NaN).
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", $"x,y\n1,a\n{token},b\n3,c\n");
        CsvDataSource source = CsvDataSource.FromFile(path);

        Assert.Equal(ColumnKind.Number, Kinds(source)["x"]);
        (DataTable table, ExtractedData data) = await ReadAsync(source);

        Assert.Equal([1f, float.NaN, 3f], Numbers(table, "x"));
        DataQualityReport report = DataQualityReport.Compute(table, null, classification: false, data);
        Assert.Equal(1, report.MissingValues["x"]);
    }

    [Theory]
    [InlineData("∞", false, 0f)]
    [InlineData("-∞", false, 0f)]
    [InlineData("inf", false, 0f)]
    [InlineData("Infinity", true, float.PositiveInfinity)]
    [InlineData("-Infinity", true, float.NegativeInfinity)]
    [InlineData("1e39", true, float.PositiveInfinity)]
    [InlineData("-1e39", true, float.NegativeInfinity)]
    [InlineData("NaN", true, float.NaN)]
    [InlineData("nan", true, float.NaN)]
    [InlineData("1e-50", true, 0f)]
    public void FloatParsing_InvariantCulture_PinnedForCsvHelperAndDotNet(string value, bool parses, float expected)
    {
        // The facts the messages rely on: .NET reads "Infinity" and an overflow as an infinity, not "inf" or "∞" (with the
        // invariant culture), and CsvHelper's TryParse agrees.
        bool dotnet = float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out float fromDotNet);
        using CsvReader reader = CsvReader.Create(Encoding.UTF8.GetBytes($"x\n{value}\n"), new CsvReaderOptions { Separator = ',' });
        Assert.True(reader.Read());
        bool csvHelper = reader.TryParse(0, out float fromCsvHelper);

        Assert.Equal(parses, dotnet);
        Assert.Equal(parses, csvHelper);
        Assert.Equal(expected, fromDotNet);
        Assert.Equal(expected, fromCsvHelper);
    }

    [Fact]
    public void FloatParsing_CultureWithInfinitySymbol_ReadsTheSymbolAsInfinity()
    {
        // With a culture whose infinity symbol is ∞, "∞" parses; the message still calls it an infinity.
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.PositiveInfinitySymbol = "∞";
        culture.NumberFormat.NegativeInfinitySymbol = "-∞";

        Assert.True(float.TryParse("∞", NumberStyles.Float, culture, out float f));
        Assert.Equal(float.PositiveInfinity, f);
    }

    [Fact]
    public async Task ExtractAsync_InfinitySymbolOfTheCulture_NamedAsAnInfinity()
    {
        using TempFolder folder = TestData.TempFolder();
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.PositiveInfinitySymbol = "∞";
        string path = folder.Write("data.csv", "id,x\n1,2.5\n2,∞\n");
        var options = new CsvSourceOptions { Culture = culture };
        options.ColumnTypes["x"] = ColumnKind.Number;

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Contains("line 3: column 'x' expected a finite number but found an infinity", ex.Message, StringComparison.Ordinal);
    }
}
