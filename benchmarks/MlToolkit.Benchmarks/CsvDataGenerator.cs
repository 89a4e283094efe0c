using System.Globalization;
using System.Text;
using MlToolkit.Data;

namespace MlToolkit.Benchmarks;

/// <summary>One column of the generated file: its header name and the kind every reader parses it as.</summary>
public sealed record CsvColumn(string Name, ColumnKind Kind);

/// <summary>
/// Writes the seeded benchmark file: <c>rows</c> records of 12 mixed columns, UTF-8, comma separated, with a header.
/// The same seed and row count always give byte-identical files, so results are comparable between runs and machines.
/// </summary>
/// <remarks>
/// Columns, in order:
/// <list type="bullet">
/// <item><c>f_temp</c>, <c>f_pressure</c>, <c>f_amount</c>: floats with about 5% empty cells (read as NaN).</item>
/// <item><c>i_age</c>, <c>i_visits</c>, <c>i_items</c>: integers (read as float, the only numeric type of MlToolkit).</item>
/// <item><c>active</c>: <c>true</c>/<c>false</c>.</item>
/// <item><c>segment</c>: a categorical value among 20.</item>
/// <item><c>note</c>: a quoted free-text field that always holds commas.</item>
/// <item><c>f_ratio</c>, <c>f_score</c>, <c>f_weight</c>: more floats (<c>f_weight</c> also has about 5% empty cells).</item>
/// </list>
/// </remarks>
public static class CsvDataGenerator
{
    /// <summary>Bump when the file format changes, so that cached files are regenerated.</summary>
    private const int FormatVersion = 1;

    public const int DefaultSeed = 20261126;

    public static readonly IReadOnlyList<CsvColumn> Columns =
    [
        new("f_temp", ColumnKind.Number),
        new("f_pressure", ColumnKind.Number),
        new("i_age", ColumnKind.Number),
        new("i_visits", ColumnKind.Number),
        new("active", ColumnKind.Boolean),
        new("segment", ColumnKind.Text),
        new("note", ColumnKind.Text),
        new("f_amount", ColumnKind.Number),
        new("i_items", ColumnKind.Number),
        new("f_ratio", ColumnKind.Number),
        new("f_score", ColumnKind.Number),
        new("f_weight", ColumnKind.Number),
    ];

    private static readonly string[] Segments =
    [
        "retail", "wholesale", "online", "enterprise", "smb", "education", "government", "healthcare", "finance", "insurance",
        "telecom", "energy", "media", "travel", "logistics", "automotive", "pharma", "agriculture", "construction", "nonprofit",
    ];

    private static readonly string[] Words =
    [
        "order", "shipped", "late", "returned", "customer", "asked", "for", "refund", "priority", "standard", "express", "warehouse",
        "Paris", "Berlin", "Lisbon", "Oslo", "Madrid", "Vienna", "box", "damaged", "OK", "signed", "by", "neighbour", "invoice",
        "pending", "paid", "partial", "gift", "wrap", "note", "call", "back", "email", "sent", "tracking", "updated", "delayed",
    ];

    /// <summary>The directory the files are cached in: <c>MLTOOLKIT_BENCH_DATA</c>, or <c>$TMPDIR/mltoolkit-bench</c>.</summary>
    public static string DataDirectory
        => Environment.GetEnvironmentVariable("MLTOOLKIT_BENCH_DATA") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Path.GetTempPath(), "mltoolkit-bench");

    /// <summary>The path of the file for <paramref name="rows"/> rows; it may not exist yet.</summary>
    public static string PathFor(int rows, int seed = DefaultSeed)
        => Path.Combine(DataDirectory, $"mixed-v{FormatVersion}-{rows}rows-seed{seed}.csv");

    /// <summary>Returns the path of the file for <paramref name="rows"/> rows, writing it first if it is not cached yet.</summary>
    public static string EnsureFile(int rows, int seed = DefaultSeed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        string path = PathFor(rows, seed);
        if (File.Exists(path))
        {
            return path;
        }

        Directory.CreateDirectory(DataDirectory);

        // Write to a private name and move it into place, so that parallel benchmark processes never see half a file.
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16))
        {
            Write(writer, rows, seed);
        }

        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>Writes the header and <paramref name="rows"/> records.</summary>
    public static void Write(TextWriter writer, int rows, int seed = DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.NewLine = "\n";
        writer.WriteLine(string.Join(',', Columns.Select(c => c.Name)));

        var random = new Random(seed);
        var line = new StringBuilder(160);
        CultureInfo inv = CultureInfo.InvariantCulture;
        for (int row = 0; row < rows; row++)
        {
            line.Clear();

            // f_temp: 5% empty, one decimal.
            AppendMaybeEmpty(line, random, () => Math.Round(random.NextDouble() * 60 - 20, 1).ToString(inv));
            line.Append(',');

            // f_pressure: 5% empty, two decimals.
            AppendMaybeEmpty(line, random, () => Math.Round(950 + random.NextDouble() * 100, 2).ToString(inv));
            line.Append(',');

            // i_age, i_visits.
            line.Append(random.Next(18, 91).ToString(inv)).Append(',');
            line.Append(random.Next(0, 50_000).ToString(inv)).Append(',');

            // active.
            line.Append(random.Next(2) == 0 ? "true" : "false").Append(',');

            // segment: 20 categories, skewed so that some are much more frequent than others.
            int category = (int)(Math.Pow(random.NextDouble(), 1.7) * Segments.Length);
            line.Append(Segments[category]).Append(',');

            // note: quoted, 3 to 8 words with commas inside, and an order number so that values rarely repeat.
            line.Append('"').Append("order ").Append(random.Next(1_000_000).ToString(inv));
            int words = random.Next(3, 9);
            for (int w = 0; w < words; w++)
            {
                line.Append(random.Next(3) == 0 ? ", " : " ").Append(Words[random.Next(Words.Length)]);
            }

            line.Append('"').Append(',');

            // f_amount: 5% empty, signed, two decimals.
            AppendMaybeEmpty(line, random, () => Math.Round(random.NextDouble() * 20_000 - 10_000, 2).ToString(inv));
            line.Append(',');

            // i_items.
            line.Append(random.Next(1, 100).ToString(inv)).Append(',');

            // f_ratio: shortest round-trip float in [0, 1).
            line.Append(((float)random.NextDouble()).ToString("R", inv)).Append(',');

            // f_score: wide range, sometimes in exponent notation.
            float score = (float)(random.NextDouble() * Math.Pow(10, random.Next(-6, 7)));
            line.Append(score.ToString("R", inv)).Append(',');

            // f_weight: 5% empty, three decimals.
            AppendMaybeEmpty(line, random, () => Math.Round(random.NextDouble() * 150, 3).ToString(inv));

            writer.WriteLine(line);
        }
    }

    private static void AppendMaybeEmpty(StringBuilder line, Random random, Func<string> value)
    {
        if (random.Next(100) >= 5)
        {
            line.Append(value());
        }
    }
}
