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
        => schema.Where(c => !excluded.Contains(c.Name) && !c.IsKey
                && (c.ItemType == NumberDataViewType.Single || c.ItemType == BooleanDataViewType.Instance))
            .Select(c => c.Name)
            .ToList();

    public static void Validate(SchemaShape schema, IReadOnlyCollection<string> excluded, IList<string> problems)
    {
        foreach (SchemaShape.Column column in schema)
        {
            if (excluded.Contains(column.Name))
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

        if (FeatureColumns(schema, excluded).Count == 0)
        {
            problems.Add("No feature column is left after preparation: the data needs at least one column besides the label.");
        }

        if (schema.TryFind(FeaturesColumn, out _) && !excluded.Contains(FeaturesColumn))
        {
            problems.Add($"A column is already named '{FeaturesColumn}', the name of the feature vector the pipeline builds: rename it in the source.");
        }
    }

    public static IEstimator<ITransformer> Create(MLContext ml, SchemaShape schema, IReadOnlyCollection<string> excluded)
    {
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach (SchemaShape.Column column in schema.Where(c => !excluded.Contains(c.Name) && c.ItemType == BooleanDataViewType.Instance))
        {
            chain = chain.Append(ml.Transforms.Conversion.ConvertType(column.Name, column.Name, DataKind.Single));
        }

        return chain.Append(ml.Transforms.Concatenate(FeaturesColumn, FeatureColumns(schema, excluded).ToArray()));
    }
}
