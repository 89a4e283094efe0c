using MlToolkit.Internal;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Preparation;

/// <summary>
/// The last preparation step, added by the pipeline: converts remaining booleans to 0/1 and concatenates every
/// numeric feature column into the <see cref="FeaturesColumn"/> vector the trainer reads.
/// </summary>
internal static class FeatureAssembler
{
    public const string FeaturesColumn = "Features";

    public static IReadOnlyList<string> FeatureColumns(SchemaShape schema, IReadOnlyCollection<string> excluded)
    {
        IReadOnlySet<string> skip = AsSet(excluded);
        return schema.Where(c => !skip.Contains(c.Name) && !c.IsKey
                && (c.ItemType == NumberDataViewType.Single || c.ItemType == BooleanDataViewType.Instance))
            .Select(c => c.Name)
            .ToList();
    }

    public static void Validate(SchemaShape schema, IReadOnlyCollection<string> excluded, IList<string> problems)
    {
        IReadOnlySet<string> skip = AsSet(excluded);
        foreach (SchemaShape.Column column in schema)
        {
            if (skip.Contains(column.Name))
            {
                continue;
            }

            if (column.ItemType == TextDataViewType.Instance)
            {
                problems.Add($"Column '{column.Name}' is text and no preparation step turns it into numbers: add OneHotEncode(\"{column.Name}\"), HashEncode(\"{column.Name}\") or FeaturizeText(\"{column.Name}\"), use AutoPrepare(), or Ignore(\"{column.Name}\").");
            }
            else if (column.IsKey || (column.ItemType != NumberDataViewType.Single && column.ItemType != BooleanDataViewType.Instance))
            {
                problems.Add($"Column '{column.Name}' has type {column.ItemType}{(column.IsKey ? " (key)" : string.Empty)}, which cannot be a feature: convert it or Ignore(\"{column.Name}\").");
            }
        }

        if (FeatureColumns(schema, skip).Count == 0)
        {
            problems.Add("No feature column is left after preparation: the data needs at least one column besides the label.");
        }

        if (schema.TryFind(FeaturesColumn, out _) && !skip.Contains(FeaturesColumn))
        {
            problems.Add($"A column is already named '{FeaturesColumn}', the name of the feature vector the pipeline builds: rename it in the source.");
        }
    }

    /// <summary>
    /// One <c>ConvertType</c> for every boolean feature column, then one <c>Concatenate</c>: two steps whatever the number of
    /// columns (a conversion per column made the chain, and its fitting, grow with the square of the columns).
    /// </summary>
    public static IEstimator<ITransformer> Create(MLContext ml, SchemaShape schema, IReadOnlyCollection<string> excluded)
    {
        IReadOnlySet<string> skip = AsSet(excluded);
        InputOutputColumnPair[] booleans = [.. schema
            .Where(c => !skip.Contains(c.Name) && c.ItemType == BooleanDataViewType.Instance)
            .Select(c => new InputOutputColumnPair(c.Name, c.Name))];
        IEstimator<ITransformer> concatenate = ml.Transforms.Concatenate(FeaturesColumn, [.. FeatureColumns(schema, skip)]);
        return booleans.Length == 0
            ? new EstimatorChain<ITransformer>().Append(concatenate)
            : ml.Transforms.Conversion.ConvertType(booleans, DataKind.Single).Append(concatenate);
    }

    private static IReadOnlySet<string> AsSet(IReadOnlyCollection<string> names)
        => names as IReadOnlySet<string> ?? new HashSet<string>(names, StringComparer.Ordinal);
}
