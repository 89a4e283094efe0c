using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Preparation.Text;
using static MlToolkit.Tests.Preparation.PreparationTestKit;

namespace MlToolkit.Tests.Preparation.Text;

public class TextFeaturizerTests
{
    private static DataTable Reviews() => Table(Texts("review",
        "the battery lasts all day",
        "the screen cracked after a week",
        "great battery and great screen",
        "terrible support never again"));

    [Fact]
    public void CreateEstimator_TextColumn_ProducesNumericVectorInPlace()
    {
        IDataView output = FitTransform(new TextFeaturizer("review"), Reviews());

        DataViewType type = output.Schema["review"].Type;
        var vector = Assert.IsType<VectorDataViewType>(type);
        Assert.Equal(NumberDataViewType.Single, vector.ItemType);
        Assert.True(vector.Size > 0);
        float[][] rows = VectorColumn(output, "review");
        Assert.Equal(4, rows.Length);
        Assert.All(rows, row =>
        {
            Assert.All(row, v => Assert.True(float.IsFinite(v)));
            Assert.Contains(row, v => v > 0);
        });
    }

    [Fact]
    public void CreateEstimator_DifferentTexts_GiveDifferentVectorsAndSameTextSameVector()
    {
        DataTable train = Reviews();
        DataTable other = Table(Texts("review", "great battery and great screen", "the battery lasts all day", "great battery and great screen"));

        float[][] rows = VectorColumn(FitTransform(new TextFeaturizer("review"), train, other), "review");

        Assert.Equal(rows[0], rows[2]);
        Assert.NotEqual(rows[0], rows[1]);
    }

    [Fact]
    public void Constructor_NoColumns_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new TextFeaturizer());
        Assert.Throws<ArgumentException>(() => new TextFeaturizer(" "));
    }

    [Fact]
    public void Validate_NumericColumn_ReportsProblem()
    {
        DataTable table = Table(Numbers("x", 1, 2));

        string problem = Assert.Single(Problems(new TextFeaturizer("x"), table));

        Assert.Equal("FeaturizeText(x): column 'x' is numeric, but this step needs a text column.", problem);
    }
}
