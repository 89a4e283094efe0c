using System.Globalization;
using MlToolkit.Data;

namespace MlToolkit.Pipeline;

/// <summary>
/// Maps a raw label column to what ML.NET trainers read: boolean for binary, 1-based keys with the class names
/// for multiclass, numbers for regression. Classes are learnt from the training part only.
/// </summary>
internal sealed class LabelEncoding
{
    private static readonly (string Positive, string Negative)[] KnownPairs =
    [
        ("yes", "no"), ("true", "false"), ("y", "n"), ("t", "f"), ("1", "0"), ("positive", "negative"), ("pos", "neg"), ("+", "-"),
    ];

    private readonly Dictionary<string, uint> _keys;

    private LabelEncoding(MlTask task, string column, IReadOnlyList<string> classes)
    {
        Task = task;
        Column = column;
        ClassNames = classes;
        _keys = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (uint)(p.i + 1), StringComparer.Ordinal);
    }

    public MlTask Task { get; }

    public string Column { get; }

    /// <summary>Binary: negative then positive; multiclass: classes in key order; regression: empty.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    public static LabelEncoding Fit(DataTable train, LabelOptions options, MlTask task, string source)
    {
        DataTableColumn column = train.FindColumn(options.Column)!;
        if (task == MlTask.Regression)
        {
            if (column.Kind != ColumnKind.Number)
            {
                throw new DataValidationException(PipelineStage.Training, source, $"The label '{options.Column}' is {column.Kind.ToString().ToLowerInvariant()}, but a regression label must be a number.", options.Column);
            }

            return new LabelEncoding(task, options.Column, []);
        }

        var distinct = new SortedSet<string>(StringComparer.Ordinal);
        for (int row = 0; row < train.RowCount; row++)
        {
            string? value = column.FormatValue(train.SourceRow(row));
            if (value is not null)
            {
                distinct.Add(value);
            }
        }

        List<string> classes = column.Kind == ColumnKind.Number
            ? distinct.OrderBy(v => float.Parse(v, CultureInfo.InvariantCulture)).ToList()
            : [.. distinct];
        if (classes.Count < 2)
        {
            string found = classes.Count == 0 ? "no value" : $"only '{classes[0]}'";
            throw new DataValidationException(PipelineStage.Training, source,
                $"The label '{options.Column}' has {found} in the training data; classification needs at least two classes. Check the label column, or the filter that produced the data.",
                options.Column);
        }

        if (task == MlTask.MulticlassClassification)
        {
            return new LabelEncoding(task, options.Column, classes);
        }

        if (classes.Count > 2)
        {
            throw new DataValidationException(PipelineStage.Training, source,
                $"The label '{options.Column}' has {classes.Count} classes ({string.Join(", ", classes.Take(10))}{(classes.Count > 10 ? ", …" : string.Empty)}), but the trainer is binary: use a multiclass trainer.",
                options.Column);
        }

        string positive = ChoosePositive(column.Kind, classes, options.PositiveClass, options.Column, source);
        string negative = classes.Single(c => c != positive);
        return new LabelEncoding(task, options.Column, [negative, positive]);
    }

    private static string ChoosePositive(ColumnKind kind, List<string> classes, string? requested, string column, string source)
    {
        if (requested is not null)
        {
            return classes.Contains(requested, StringComparer.Ordinal)
                ? requested
                : throw new DataValidationException(PipelineStage.Training, source, $"The positive class '{requested}' is not a value of the label '{column}' ({string.Join(", ", classes)}).", column);
        }

        if (kind == ColumnKind.Number && !(classes[0] == "0" && classes[1] == "1"))
        {
            throw new DataValidationException(PipelineStage.Training, source, $"A numeric binary label must be 0 or 1, but '{column}' has {classes[0]} and {classes[1]}: set PositiveClass or map it first.", column);
        }

        foreach ((string pos, string neg) in KnownPairs)
        {
            string? p = classes.FirstOrDefault(c => string.Equals(c.Trim(), pos, StringComparison.OrdinalIgnoreCase));
            string? n = classes.FirstOrDefault(c => string.Equals(c.Trim(), neg, StringComparison.OrdinalIgnoreCase));
            if (p is not null && n is not null)
            {
                return p;
            }
        }

        return classes[1];
    }

    /// <summary>Replaces the label column of <paramref name="table"/> with its encoded form.</summary>
    public DataTable Apply(DataTable table)
    {
        DataTableColumn raw = table.FindColumn(Column)!;
        int length = raw.Length;
        switch (Task)
        {
            case MlTask.Regression:
                return table;
            case MlTask.BinaryClassification:
                if (raw is BooleanColumn && ClassNames[1] == "true")
                {
                    return table;
                }

                bool[] flags = new bool[length];
                string positive = ClassNames[1];
                for (int row = 0; row < table.RowCount; row++)
                {
                    int i = table.SourceRow(row);
                    string? value = raw.FormatValue(i);
                    if (value is not null && value != positive && value != ClassNames[0])
                    {
                        throw new DataValidationException(PipelineStage.Split, null,
                            $"The label '{Column}' has the value '{value}' (data row {row + 1}), which the training data does not have; a binary label has only '{ClassNames[0]}' and '{positive}'.",
                            Column);
                    }

                    flags[i] = value == positive;
                }

                return table.WithColumn(new BooleanColumn(Column, flags));
            default:
                uint[] keys = new uint[length];
                for (int i = 0; i < length; i++)
                {
                    string? value = raw.FormatValue(i);
                    keys[i] = value is not null && _keys.TryGetValue(value, out uint key) ? key : 0;
                }

                return table.WithColumn(new KeyColumn(Column, keys, ClassNames));
        }
    }
}
