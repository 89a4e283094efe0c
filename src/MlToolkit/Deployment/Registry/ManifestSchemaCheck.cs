using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Internal;

namespace MlToolkit.Deployment.Registry;

/// <summary>
/// Compares a manifest with the model file it describes, as loaded: the inputs (names, kinds, vector sizes) with the
/// input schema saved in the model, the outputs and the task with the model's output schema, and the classes (in order)
/// with the class names the model carries (a multiclass model's score slot names, and the <see cref="ModelFileEntry"/>
/// every MlToolkit model file records). A manifest whose content disagrees with its model would be served wrongly
/// without an error (swapped classes flip every label), so every difference is reported.
/// </summary>
internal static class ManifestSchemaCheck
{
    private static readonly string[] OutputNames = ["Score", "Probability", "PredictedLabel"];

    /// <summary>The manifest's differences from the model, each a phrase naming the field; empty when they agree.</summary>
    public static List<string> Compare(ModelManifest manifest, ITransformer transformer, DataViewSchema inputSchema, ModelFileEntry recorded)
    {
        var problems = new List<string>();
        CompareColumns("input", "reads", manifest.Inputs, inputSchema.Where(c => !c.IsHidden).ToList(), problems);
        DataViewSchema output = transformer.GetOutputSchema(inputSchema);
        List<DataViewSchema.Column> outputs = output.Where(c => !c.IsHidden && OutputNames.Contains(c.Name)).ToList();
        CompareColumns("output", "writes", manifest.Outputs, outputs, problems);

        MlTask task = TaskOf(outputs);
        if (manifest.Task != task)
        {
            problems.Add($"manifest task is {manifest.Task} but the model is {task}");
        }

        IReadOnlyList<string> classes = task == MlTask.MulticlassClassification && SlotNames(outputs) is { } slots ? slots : recorded.Classes;
        if (!manifest.Classes.SequenceEqual(classes, StringComparer.Ordinal))
        {
            string order = task switch
            {
                MlTask.BinaryClassification => " (negative, then positive)",
                MlTask.MulticlassClassification => " (in the order of its scores)",
                _ => string.Empty,
            };
            problems.Add($"manifest classes are [{string.Join(", ", manifest.Classes)}] but the model's are [{string.Join(", ", classes)}]{order}");
        }

        if (!string.Equals(manifest.LabelColumn, recorded.LabelColumn, StringComparison.Ordinal))
        {
            problems.Add($"manifest label column is '{manifest.LabelColumn}' but the model was trained on '{recorded.LabelColumn}'");
        }

        return problems;
    }

    /// <summary>The manifest kind of a column type, as <see cref="ModelRegistry"/> writes it.</summary>
    public static string KindOf(DataViewType type) => type switch
    {
        VectorDataViewType => "Vector",
        KeyDataViewType => "Key",
        TextDataViewType => "Text",
        BooleanDataViewType => "Boolean",
        _ => "Number",
    };

    private static void CompareColumns(string what, string verb, IReadOnlyList<ManifestColumn> declared, List<DataViewSchema.Column> actual, List<string> problems)
    {
        var byName = new Dictionary<string, ManifestColumn>(StringComparer.Ordinal);
        foreach (IGrouping<string, ManifestColumn> group in declared.GroupBy(c => c.Name, StringComparer.Ordinal))
        {
            byName[group.Key] = group.First();
            if (group.Count() > 1)
            {
                problems.Add($"manifest {what} '{group.Key}' appears {group.Count()} times");
            }
        }

        foreach (DataViewSchema.Column column in actual)
        {
            if (!byName.Remove(column.Name, out ManifestColumn? column1))
            {
                problems.Add($"the model {verb} '{column.Name}' ({column.Type}) but the manifest has no such {what}");
                continue;
            }

            string kind = KindOf(column.Type);
            if (!string.Equals(column1.Kind, kind, StringComparison.Ordinal))
            {
                problems.Add($"manifest {what} '{column.Name}' is {column1.Kind} but the model {verb} {column.Type}");
            }
            else if (column.Type is VectorDataViewType vector ? column1.Size != vector.Size : column1.Size is not null)
            {
                string size = column1.Size is { } n ? $"has size {n}" : "has no size";
                problems.Add($"manifest {what} '{column.Name}' {size} but the model {verb} {column.Type}");
            }
        }

        foreach (ManifestColumn extra in byName.Values)
        {
            problems.Add($"manifest {what} '{extra.Name}' is not {(verb == "reads" ? "read" : "written")} by the model");
        }
    }

    private static MlTask TaskOf(List<DataViewSchema.Column> outputs)
    {
        // DataViewSchema.Column is a struct: look it up by index, not with FirstOrDefault.
        int label = outputs.FindIndex(c => c.Name == "PredictedLabel");
        return label < 0 ? MlTask.Regression
            : outputs[label].Type is BooleanDataViewType ? MlTask.BinaryClassification
            : MlTask.MulticlassClassification;
    }

    /// <summary>The slot names of a multiclass model's score vector: its classes, in score order.</summary>
    private static string[]? SlotNames(List<DataViewSchema.Column> outputs)
    {
        int index = outputs.FindIndex(c => c.Name == "Score");
        if (index < 0 || outputs[index].Annotations.Schema.GetColumnOrNull("SlotNames") is null)
        {
            return null;
        }

        DataViewSchema.Column column = outputs[index];
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        return [.. names.DenseValues().Select(n => n.ToString())];
    }
}
