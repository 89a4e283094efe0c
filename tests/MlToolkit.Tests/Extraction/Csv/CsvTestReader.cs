using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;

namespace MlToolkit.Tests.Extraction.Csv;

/// <summary>Reads CSV sources the way the tests of this folder need: one call, typed column access.</summary>
internal static class CsvTestReader
{
    /// <summary>Extracts <paramref name="source"/> with a standalone context.</summary>
    public static async Task<(DataTable Table, ExtractedData Data)> ReadAsync(IDataSource source)
    {
        ExtractedData data = await source.ExtractAsync(ExtractionContext.Standalone(), TestContext.Current.CancellationToken);
        return (Assert.IsType<DataTable>(data.Data), data);
    }

    /// <summary>Extracts the file at <paramref name="path"/>.</summary>
    public static Task<(DataTable Table, ExtractedData Data)> ReadFileAsync(string path, CsvSourceOptions? options = null)
        => ReadAsync(CsvDataSource.FromFile(path, options));

    /// <summary>Extracts the file and expects a <see cref="CsvDataException"/>.</summary>
    public static Task<CsvDataException> FailsAsync(string path, CsvSourceOptions? options = null)
        => Assert.ThrowsAsync<CsvDataException>(() => ReadFileAsync(path, options));

    /// <summary>The values of a number column.</summary>
    public static float[] Numbers(DataTable table, string name)
        => Assert.IsType<NumberColumn>(table.FindColumn(name)).Values;

    /// <summary>The values of a text column.</summary>
    public static string?[] Texts(DataTable table, string name)
        => Assert.IsType<TextColumn>(table.FindColumn(name)).Values;

    /// <summary>Asserts the values of a text column, <see langword="null"/> for missing ones.</summary>
    public static void AssertTexts(string?[] expected, string?[] actual)
        => Assert.Equal<IEnumerable<string?>>(expected, actual);

    /// <summary>The values of a boolean column.</summary>
    public static bool[] Booleans(DataTable table, string name)
        => Assert.IsType<BooleanColumn>(table.FindColumn(name)).Values;

    /// <summary>
    /// Lenient options: bad rows are skipped, without the share limit (these files skip one row of a handful, far above the
    /// default <see cref="CsvSourceOptions.MaxSkippedRowShare"/>; the limit has tests of its own in Hostile/CsvHostileTests).
    /// </summary>
    public static CsvSourceOptions Lenient() => new() { BadRows = BadRowHandling.Skip, MaxSkippedRowShare = 1 };

    /// <summary>The kind of each column of a schema, by name.</summary>
    public static Dictionary<string, ColumnKind> Kinds(CsvDataSource source)
    {
        var kinds = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);
        foreach (Microsoft.ML.DataViewSchema.Column column in source.GetSchema())
        {
            kinds[column.Name] = column.Type switch
            {
                Microsoft.ML.Data.NumberDataViewType => ColumnKind.Number,
                Microsoft.ML.Data.BooleanDataViewType => ColumnKind.Boolean,
                Microsoft.ML.Data.TextDataViewType => ColumnKind.Text,
                _ => ColumnKind.Vector,
            };
        }

        return kinds;
    }
}
