using Microsoft.ML;
using MlToolkit.Data;
using MlToolkit.Preparation.Encoding;
using static MlToolkit.Tests.Preparation.PreparationTestKit;

namespace MlToolkit.Tests.Preparation.Encoding;

public class CategoricalEncoderTests
{
    private static CategoricalEncoder Encoder(CategoricalEncoding encoding, int hashBits = 12, int maxCategories = 1000, params string[] columns)
    {
        var options = new CategoricalEncodingOptions { Encoding = encoding, HashBits = hashBits, MaxCategories = maxCategories };
        foreach (string column in columns)
        {
            options.Columns.Add(column);
        }

        return new CategoricalEncoder(options);
    }

    [Fact]
    public void FitTransform_OneHotSeenCategories_GivesOneOnePerCategoryInOccurrenceOrder()
    {
        DataTable train = Table(Texts("c", "red", "green", "blue", "red"));

        IDataView output = FitTransform(Encoder(CategoricalEncoding.OneHot, columns: "c"), train);

        Assert.Equal(3, VectorSize(output, "c"));
        float[][] rows = VectorColumn(output, "c");
        Assert.Equal([1f, 0f, 0f], rows[0]);
        Assert.Equal([0f, 1f, 0f], rows[1]);
        Assert.Equal([0f, 0f, 1f], rows[2]);
        Assert.Equal([1f, 0f, 0f], rows[3]);
    }

    [Fact]
    public void FitTransform_OneHotUnseenCategory_GivesAllZeroVector()
    {
        DataTable train = Table(Texts("c", "red", "green", "blue"));
        DataTable other = Table(Texts("c", "purple", "green"));

        float[][] rows = VectorColumn(FitTransform(Encoder(CategoricalEncoding.OneHot, columns: "c"), train, other), "c");

        Assert.Equal([0f, 0f, 0f], rows[0]);
        Assert.Equal([0f, 1f, 0f], rows[1]);
    }

    [Fact]
    public void FitTransform_OneHotMissingValue_GivesAllZeroVectorAndIsNotACategory()
    {
        DataTable train = Table(Texts("c", "red", null, "blue"));
        DataTable other = Table(Texts("c", null, "blue"));

        IDataView output = FitTransform(Encoder(CategoricalEncoding.OneHot, columns: "c"), train, other);

        Assert.Equal(2, VectorSize(output, "c"));
        float[][] rows = VectorColumn(output, "c");
        Assert.Equal([0f, 0f], rows[0]);
        Assert.Equal([0f, 1f], rows[1]);
    }

    [Fact]
    public void FitTransform_OneHotNoColumnsNamed_EncodesEveryTextFeatureAndLeavesNumbers()
    {
        DataTable train = Table(Texts("c", "a", "b"), Texts("d", "u", "u"), Numbers("x", 1, 2));

        IDataView output = FitTransform(Encoder(CategoricalEncoding.OneHot), train);

        Assert.Equal(2, VectorSize(output, "c"));
        Assert.Equal(1, VectorSize(output, "d"));
        Assert.Equal([1f, 2f], FloatColumn(output, "x"));
    }

    [Fact]
    public void FitTransform_OneHotMaxCategories_CapsVectorSize()
    {
        DataTable train = Table(Texts("c", "a", "b", "c", "d", "e", "a"));

        IDataView output = FitTransform(Encoder(CategoricalEncoding.OneHot, maxCategories: 2, columns: "c"), train);

        Assert.Equal(2, VectorSize(output, "c"));
        Assert.All(VectorColumn(output, "c"), row => Assert.InRange(row.Sum(), 0f, 1f));
    }

    [Fact]
    public void FitTransform_OneHotMaxCategories_KeepsMostFrequentCategories()
    {
        // "rare" comes first but occurs once; "common" occurs three times and "usual" twice.
        DataTable train = Table(Texts("c", "rare", "usual", "common", "common", "usual", "common"));

        float[][] rows = VectorColumn(FitTransform(Encoder(CategoricalEncoding.OneHot, maxCategories: 2, columns: "c"), train), "c");

        Assert.Equal(0f, rows[0].Sum());   // rare: beyond the cap, all zero
        Assert.Equal(1f, rows[1].Sum());   // usual
        Assert.Equal(1f, rows[2].Sum());   // common
    }

    [Theory]
    [InlineData(3, 8)]
    [InlineData(5, 32)]
    public void FitTransform_HashingBits_GivesVectorOfTwoToTheBits(int bits, int size)
    {
        DataTable train = Table(Texts("c", "red", "green", "blue"));

        IDataView output = FitTransform(Encoder(CategoricalEncoding.Hashing, hashBits: bits, columns: "c"), train);

        Assert.Equal(size, VectorSize(output, "c"));
        Assert.All(VectorColumn(output, "c"), row =>
        {
            Assert.Equal(size, row.Length);
            Assert.Equal(1f, row.Sum());
        });
    }

    [Fact]
    public void FitTransform_HashingSameValue_GivesSameSlotAndUnseenValueGetsASlot()
    {
        DataTable train = Table(Texts("c", "red", "green"));
        DataTable other = Table(Texts("c", "red", "never-seen", "red"));

        float[][] rows = VectorColumn(FitTransform(Encoder(CategoricalEncoding.Hashing, hashBits: 10, columns: "c"), train, other), "c");

        Assert.Equal(rows[0], rows[2]);
        Assert.Equal(1f, rows[1].Sum());
    }

    [Fact]
    public void FitTransform_HashingMissingValue_GivesAllZeroVector()
    {
        DataTable train = Table(Texts("c", "red", "green"));
        DataTable other = Table(Texts("c", null, "red"));

        float[][] rows = VectorColumn(FitTransform(Encoder(CategoricalEncoding.Hashing, hashBits: 6, columns: "c"), train, other), "c");

        Assert.Equal(0f, rows[0].Sum());
        Assert.Equal(1f, rows[1].Sum());
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(31, 10)]
    [InlineData(12, 0)]
    public void Constructor_InvalidBitsOrMaxCategories_ThrowsArgumentOutOfRange(int bits, int maxCategories)
    {
        var options = new CategoricalEncodingOptions { HashBits = bits, MaxCategories = maxCategories };

        Assert.Throws<ArgumentOutOfRangeException>(() => new CategoricalEncoder(options));
    }

    [Fact]
    public void Validate_NumericColumn_ReportsProblem()
    {
        DataTable table = Table(Numbers("x", 1, 2), Texts("c", "a", "b"));

        string problem = Assert.Single(Problems(Encoder(CategoricalEncoding.OneHot, columns: "x"), table));

        Assert.Equal("OneHot(x): column 'x' is numeric, but this step needs a text column.", problem);
    }
}
