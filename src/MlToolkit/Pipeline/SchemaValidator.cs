using MlToolkit.Internal;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Preparation;
using MlToolkit.Training;

namespace MlToolkit.Pipeline;

/// <summary>
/// Propagates the data's schema through every stage (ML.NET's <c>GetOutputSchema</c>) so that a misspelt
/// column or a label of the wrong type fails in milliseconds, with every problem listed.
/// </summary>
internal static class SchemaValidator
{
    /// <summary>At <c>Build()</c>: validates against the schemas the sources can tell without reading everything.</summary>
    public static void ValidateSources(PipelineDefinition definition)
    {
        if (definition.Source is not ISchemaProvider provider)
        {
            return;
        }

        var problems = new List<string>();
        DataViewSchema? schema = TryGetSchema(provider, definition.Source.Name, problems);
        if (schema is not null)
        {
            Validate(definition, schema, problems);
            foreach (IDataSource? other in new[] { definition.TestSource, definition.ValidationSource })
            {
                if (other is ISchemaProvider otherProvider && TryGetSchema(otherProvider, other.Name, problems) is { } otherSchema)
                {
                    ValidateTestSchema(definition, schema, otherSchema, problems, other.Name);
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new PipelineValidationException(problems, definition.Source.Name);
        }
    }

    private static DataViewSchema? TryGetSchema(ISchemaProvider provider, string name, List<string> problems)
    {
        try
        {
            return provider.GetSchema();
        }
        catch (MlToolkitException ex)
        {
            problems.Add($"Source {name}: {ex.Message}");
            return null;
        }
    }

    /// <summary>Checks <paramref name="schema"/> (raw, as the source gives it) against the whole pipeline.</summary>
    public static void Validate(PipelineDefinition definition, DataViewSchema schema, List<string> problems)
    {
        string label = definition.Label.Column;
        var names = schema.Where(c => !c.IsHidden).Select(c => c.Name).ToList();
        DataViewSchema.Column? labelColumn = schema.GetColumnOrNull(label);
        if (labelColumn is null)
        {
            problems.Add($"The label column '{label}' does not exist{Suggest(label, names)}. The columns are: {string.Join(", ", names)}.");
        }
        else
        {
            CheckLabelType(definition.Task, label, labelColumn.Value.Type, problems);
        }

        foreach (string column in definition.Ignored)
        {
            if (schema.GetColumnOrNull(column) is null)
            {
                problems.Add($"The ignored column '{column}' does not exist{Suggest(column, names)}.");
            }
        }

        if (definition.Split.GroupColumn is { } group && schema.GetColumnOrNull(group) is null)
        {
            problems.Add($"The split's group column '{group}' does not exist{Suggest(group, names)}.");
        }

        var unusable = new List<string>();
        foreach (DataViewSchema.Column column in schema)
        {
            if (!column.IsHidden && !definition.Ignored.Contains(column.Name) && Kind(column.Type) is null)
            {
                unusable.Add(column.Name);
                problems.Add($"Column '{column.Name}' has type {column.Type}, which MlToolkit cannot use: convert it in the source, or Ignore(\"{column.Name}\").");
            }
        }

        if (problems.Count > 0)
        {
            return;
        }

        DataTable empty = EmptyTable(definition, schema);
        Compose(definition, new MLContext(definition.Seed), empty, problems);
    }

    public static void ValidateTestSchema(PipelineDefinition definition, DataViewSchema train, DataViewSchema test, List<string> problems, string testName)
    {
        foreach (DataViewSchema.Column column in train)
        {
            if (column.IsHidden || definition.Ignored.Contains(column.Name) || column.Name == definition.Split.GroupColumn)
            {
                continue;
            }

            DataViewSchema.Column? other = test.GetColumnOrNull(column.Name);
            if (other is null)
            {
                problems.Add($"The source {testName} has no column '{column.Name}'.");
            }
            else if (Kind(other.Value.Type) != Kind(column.Type))
            {
                problems.Add($"Column '{column.Name}' is {Kind(column.Type)} in the training source but {Kind(other.Value.Type)?.ToString() ?? other.Value.Type.ToString()} in {testName}.");
            }
        }
    }

    /// <summary>Creates the preparation and trainer estimators for <paramref name="train"/>, adding problems instead of throwing.</summary>
    /// <returns>The estimators, or <see langword="null"/> when a problem stops the composition.</returns>
    public static (IEstimator<ITransformer> Preparation, IEstimator<ITransformer> Trainer)? Compose(PipelineDefinition definition, MLContext ml, DataTable train, List<string> problems, ITrainer? trainerOverride = null, Func<IDataView>? validation = null)
    {
        ITrainer chosen = trainerOverride ?? definition.Trainer;
        IReadOnlyCollection<string> excluded = [definition.Label.Column];
        SchemaShape shape = SchemaShapes.Create(train.Schema);
        IEstimator<ITransformer> preparation = new EstimatorChain<ITransformer>();
        foreach (IPreprocessor step in definition.Preprocessors)
        {
            var context = new PreparationContext(ml, shape, train, definition.Label.Column, definition.Task, excluded);
            int before = problems.Count;
            (step as PreprocessorBase)?.Validate(context, problems);
            if (problems.Count > before)
            {
                return null;
            }

            try
            {
                IEstimator<ITransformer> estimator = step.CreateEstimator(context);
                shape = estimator.GetOutputSchema(shape);
                preparation = preparation.Append(estimator);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not MlToolkitException)
            {
                problems.Add($"Preparation step {step.Name}: {ex.Message}");
                return null;
            }
        }

        int beforeAssembly = problems.Count;
        FeatureAssembler.Validate(shape, excluded, problems);
        if (problems.Count > beforeAssembly)
        {
            return null;
        }

        IEstimator<ITransformer> assemble = FeatureAssembler.Create(ml, shape, excluded);
        shape = assemble.GetOutputSchema(shape);
        preparation = preparation.Append(assemble);
        IEstimator<ITransformer>? trainer = ComposeTrainer(definition, chosen, ml, shape, problems, validation);
        return trainer is null ? null : (preparation, trainer);
    }

    /// <summary>
    /// The trainer's estimator on data of <paramref name="shape"/> (the preparation's output), with the mapping of multiclass
    /// predictions back to class names; a problem is added instead of thrown.
    /// </summary>
    public static IEstimator<ITransformer>? ComposeTrainer(PipelineDefinition definition, ITrainer chosen, MLContext ml, SchemaShape shape, List<string> problems, Func<IDataView>? validation = null)
    {
        try
        {
            IEstimator<ITransformer> trainer = chosen.CreateEstimator(new TrainingContext(ml, definition.Label.Column, FeatureAssembler.FeaturesColumn, definition.Seed) { ValidationData = validation });
            shape = trainer.GetOutputSchema(shape);
            if (definition.Task == MlTask.MulticlassClassification)
            {
                IEstimator<ITransformer> back = ml.Transforms.Conversion.MapKeyToValue("PredictedLabel", "PredictedLabel");
                back.GetOutputSchema(shape);
                trainer = trainer.Append(back);
            }

            return trainer;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not MlToolkitException)
        {
            problems.Add($"Trainer {chosen.Name}: {ex.Message}");
            return null;
        }
    }

    private static void CheckLabelType(MlTask task, string label, DataViewType type, List<string> problems)
    {
        ColumnKind? kind = Kind(type);
        bool ok = task switch
        {
            MlTask.Regression => kind == ColumnKind.Number,
            MlTask.BinaryClassification => kind is ColumnKind.Number or ColumnKind.Boolean or ColumnKind.Text,
            _ => kind is ColumnKind.Number or ColumnKind.Text,
        };
        if (!ok)
        {
            string need = task switch
            {
                MlTask.Regression => "a number",
                MlTask.BinaryClassification => "a boolean, 0/1 or two text values",
                _ => "text or numbers",
            };
            problems.Add($"The label '{label}' is {kind?.ToString().ToLowerInvariant() ?? type.ToString()}, but a {task} trainer needs {need}.");
        }
    }

    /// <summary>How a column of <paramref name="type"/> is materialized, or <see langword="null"/> when it cannot be.</summary>
    public static ColumnKind? Kind(DataViewType type)
    {
        if (type is KeyDataViewType)
        {
            return null;
        }

        if (type is VectorDataViewType vector)
        {
            return vector.ItemType == NumberDataViewType.Single && vector.IsKnownSize ? ColumnKind.Vector : null;
        }

        Type raw = type.RawType;
        if (raw == typeof(bool))
        {
            return ColumnKind.Boolean;
        }

        if (raw == typeof(ReadOnlyMemory<char>))
        {
            return ColumnKind.Text;
        }

        return raw == typeof(float) || raw == typeof(double) || raw == typeof(int) || raw == typeof(long) || raw == typeof(short) || raw == typeof(byte) || raw == typeof(uint)
            ? ColumnKind.Number
            : null;
    }

    private static DataTable EmptyTable(PipelineDefinition definition, DataViewSchema schema)
    {
        var columns = new List<DataTableColumn>();
        foreach (DataViewSchema.Column column in schema)
        {
            if (column.IsHidden || definition.Ignored.Contains(column.Name) || column.Name == definition.Split.GroupColumn)
            {
                continue;
            }

            if (column.Name == definition.Label.Column)
            {
                columns.Add(definition.Task switch
                {
                    MlTask.BinaryClassification => new BooleanColumn(column.Name, []),
                    MlTask.MulticlassClassification => new KeyColumn(column.Name, [], ["a", "b"]),
                    _ => new NumberColumn(column.Name, []),
                });
                continue;
            }

            columns.Add(Kind(column.Type) switch
            {
                ColumnKind.Boolean => new BooleanColumn(column.Name, []),
                ColumnKind.Text => new TextColumn(column.Name, []),
                ColumnKind.Vector => new VectorColumn(column.Name, ((VectorDataViewType)column.Type).Size, []),
                _ => new NumberColumn(column.Name, []),
            });
        }

        return new DataTable(columns);
    }

    private static string Suggest(string name, IReadOnlyList<string> candidates)
    {
        string? best = candidates
            .Select(c => (c, d: Distance(name.ToLowerInvariant(), c.ToLowerInvariant())))
            .Where(p => p.d <= Math.Max(2, name.Length / 3))
            .OrderBy(p => p.d)
            .Select(p => p.c)
            .FirstOrDefault();
        return best is null ? string.Empty : $" (did you mean '{best}'?)";
    }

    private static int Distance(string a, string b)
    {
        int[] previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int[] current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
