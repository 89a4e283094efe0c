using MlToolkit.Internal;
using System.Reflection;
using Microsoft.ML;

namespace MlToolkit.Internal;

/// <summary>
/// Access to ML.NET's schema-shape helpers. <c>SchemaShapes.Create(DataViewSchema)</c> is internal in ML.NET 5 but is the
/// only way to start <c>GetOutputSchema</c> propagation from real data; it is bound once by reflection and pinned by a test.
/// </summary>
internal static class SchemaShapes
{
    private static readonly Func<DataViewSchema, SchemaShape> CreateShape = BindCreate();

    public static SchemaShape Create(DataViewSchema schema) => CreateShape(schema);

    public static bool TryFind(this SchemaShape shape, string name, out SchemaShape.Column column)
    {
        foreach (SchemaShape.Column c in shape)
        {
            if (c.Name == name)
            {
                column = c;
                return true;
            }
        }

        column = default;
        return false;
    }

    private static Func<DataViewSchema, SchemaShape> BindCreate()
    {
        MethodInfo method = typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(DataViewSchema)])
            ?? throw new InvalidOperationException("This version of ML.NET has no SchemaShapes.Create(DataViewSchema); MlToolkit needs Microsoft.ML 5.x.");
        return method.CreateDelegate<Func<DataViewSchema, SchemaShape>>();
    }
}
