using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Deployment.Registry;

namespace MlToolkit.Deployment.Prediction;

/// <summary>
/// Fast single-row scoring for untyped requests. ML.NET's <c>PredictionEngine</c> needs CLR types, so input and output
/// types are emitted from the manifest (public fields with <c>[ColumnName]</c> and <c>[VectorType]</c>) once per loaded
/// shape of inputs (or task, for outputs), and engines over them are pooled, one per concurrent caller, never shared. A
/// row then costs a few microseconds instead of a <c>Transform</c> and a cursor (about a millisecond).
/// </summary>
/// <remarks>
/// Emitted types can never be unloaded from this (non-collectible) assembly, so they are reused: a reload of a version
/// whose inputs have the same names, kinds and sizes in the same order gets the types of the first one (a type carries
/// only field names and ML.NET attributes, nothing of the model). Memory then grows with the number of distinct input
/// shapes a process serves, not with the number of reloads.
/// </remarks>
internal sealed class DynamicRowEngine
{
    private static readonly ModuleBuilder Module = AssemblyBuilder
        .DefineDynamicAssembly(new AssemblyName("MlToolkit.DynamicRows"), AssemblyBuilderAccess.Run)
        .DefineDynamicModule("MlToolkit.DynamicRows");

    private static readonly Dictionary<string, Type> Emitted = new(StringComparer.Ordinal);

    private static int _types;

    private readonly ObjectPool<Slot> _pool;
    private readonly Setters _setters;
    private readonly Func<object, float>? _score;
    private readonly Func<object, float>? _probability;
    private readonly Func<object, bool>? _binaryLabel;
    private readonly Func<object, string?>? _classLabel;
    private readonly Func<object, float[]?>? _classScores;

    private DynamicRowEngine(LoadedModel model)
    {
        ModelManifest manifest = model.Manifest;
        Type input = InputTypeFor(manifest);
        Type output = OutputTypeFor(manifest.Task);
        InputType = input;
        OutputType = output;
        Type engineType = typeof(Engine<,>).MakeGenericType(input, output);
        Func<IRowEngine> create = () => (IRowEngine)Activator.CreateInstance(engineType, model.MLContext, model.Transformer, model.InputSchema)!;
        _setters = new Setters(manifest, input);
        _pool = new DefaultObjectPool<Slot>(new SlotPolicy(create, input, _setters), Math.Max(4, Environment.ProcessorCount * 2));
        _pool.Return(_pool.Get()); // creating one engine checks the emitted types against the model
        _score = Getter<float>(output, "Score", manifest.Task != MlTask.MulticlassClassification);
        _probability = Getter<float>(output, "Probability", manifest.Task == MlTask.BinaryClassification);
        _binaryLabel = Getter<bool>(output, "PredictedLabel", manifest.Task == MlTask.BinaryClassification);
        _classLabel = Getter<string?>(output, "PredictedLabel", manifest.Task == MlTask.MulticlassClassification);
        _classScores = Getter<float[]?>(output, "Score", manifest.Task == MlTask.MulticlassClassification);
    }

    /// <summary>How many types were emitted in this process.</summary>
    internal static int EmittedTypes => Volatile.Read(ref _types);

    /// <summary>The emitted input type.</summary>
    internal Type InputType { get; }

    /// <summary>The emitted output type.</summary>
    internal Type OutputType { get; }

    private interface IRowEngine
    {
        object Predict(object input);
    }

    /// <summary>Creates the engine, or returns <see langword="null"/> when the model cannot be served this way.</summary>
    public static DynamicRowEngine? TryCreate(LoadedModel model)
    {
        try
        {
            return new DynamicRowEngine(model);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>
    /// Checks one row with <paramref name="converter"/>, writing its values straight into a pooled input object, and scores it.
    /// Every input is required, so a row that fails half-way leaves nothing behind for the next: all fields are set again.
    /// </summary>
    public Prediction Predict(IReadOnlyDictionary<string, object?> row, InputConverter converter, ModelManifest manifest, out int unseenCount)
    {
        Slot slot = _pool.Get();
        try
        {
            List<string>? unseenFields = null;
            converter.ConvertRow(row, slot, ref unseenFields);
            unseenCount = unseenFields?.Count ?? 0;
            IReadOnlyList<string> unseen = unseenFields ?? (IReadOnlyList<string>)[];
            object output = slot.Engine.Predict(slot.Input);
            switch (manifest.Task)
            {
                case MlTask.BinaryClassification:
                    return new Prediction(manifest.Version, manifest.Classes[_binaryLabel!(output) ? 1 : 0], _score!(output), _probability!(output), null, unseen);
                case MlTask.MulticlassClassification:
                    float[] scores = _classScores!(output) ?? [];
                    var classes = new Dictionary<string, float>(StringComparer.Ordinal);
                    for (int c = 0; c < manifest.Classes.Count && c < scores.Length; c++)
                    {
                        classes[manifest.Classes[c]] = scores[c];
                    }

                    return new Prediction(manifest.Version, _classLabel!(output), null, null, classes, unseen);
                default:
                    return new Prediction(manifest.Version, null, _score!(output), null, null, unseen);
            }
        }
        finally
        {
            _pool.Return(slot);
        }
    }

    /// <summary>The input type for the manifest's inputs: emitted once per shape (names, kinds, sizes, in order).</summary>
    private static Type InputTypeFor(ModelManifest manifest)
    {
        var signature = new System.Text.StringBuilder("in");
        foreach (ManifestColumn column in manifest.Inputs)
        {
            // Length-prefixed names, so that no name can run into the next field.
            signature.Append('|').Append(column.Name.Length).Append(':').Append(column.Name).Append(':').Append(column.Kind).Append(':').Append(column.Size);
        }

        return TypeFor(signature.ToString(), () => EmitInput(manifest));
    }

    /// <summary>The output type for a task: emitted once per task.</summary>
    private static Type OutputTypeFor(MlTask task) => TypeFor("out|" + task, () => EmitOutput(task));

    private static Type TypeFor(string signature, Func<Type> emit)
    {
        // ModuleBuilder is not safe to define types in from several threads at once: one lock for lookup and emission.
        lock (Emitted)
        {
            if (!Emitted.TryGetValue(signature, out Type? type))
            {
                type = emit();
                Emitted.Add(signature, type);
            }

            return type;
        }
    }

    private static Type EmitInput(ModelManifest manifest)
    {
        TypeBuilder type = Module.DefineType($"Input{Interlocked.Increment(ref _types)}", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class);
        for (int i = 0; i < manifest.Inputs.Count; i++)
        {
            ManifestColumn column = manifest.Inputs[i];
            Type fieldType = column.Kind switch
            {
                "Text" => typeof(string),
                "Boolean" => typeof(bool),
                "Vector" => typeof(float[]),
                "Number" => typeof(float),
                _ => throw new NotSupportedException($"Input kind {column.Kind}."),
            };
            FieldBuilder field = type.DefineField($"f{i}", fieldType, FieldAttributes.Public);
            field.SetCustomAttribute(new CustomAttributeBuilder(typeof(ColumnNameAttribute).GetConstructor([typeof(string)])!, [column.Name]));
            if (column.Kind == "Vector")
            {
                field.SetCustomAttribute(new CustomAttributeBuilder(typeof(VectorTypeAttribute).GetConstructor([typeof(int[])])!, [new[] { column.Size ?? 0 }]));
            }
        }

        type.DefineDefaultConstructor(MethodAttributes.Public);
        return type.CreateType();
    }

    private static Type EmitOutput(MlTask task)
    {
        TypeBuilder type = Module.DefineType($"Output{Interlocked.Increment(ref _types)}", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class);
        void Field(string name, Type fieldType) => type.DefineField(name, fieldType, FieldAttributes.Public);
        switch (task)
        {
            case MlTask.BinaryClassification:
                Field("PredictedLabel", typeof(bool));
                Field("Score", typeof(float));
                Field("Probability", typeof(float));
                break;
            case MlTask.MulticlassClassification:
                Field("PredictedLabel", typeof(string));
                Field("Score", typeof(float[]));
                break;
            default:
                Field("Score", typeof(float));
                break;
        }

        type.DefineDefaultConstructor(MethodAttributes.Public);
        return type.CreateType();
    }

    private static Action<object, T> Setter<T>(FieldInfo field)
    {
        ParameterExpression target = Expression.Parameter(typeof(object), "target");
        ParameterExpression value = Expression.Parameter(typeof(T), "value");
        BinaryExpression assign = Expression.Assign(Expression.Field(Expression.Convert(target, field.DeclaringType!), field), value);
        return Expression.Lambda<Action<object, T>>(assign, target, value).Compile();
    }

    private static Func<object, T>? Getter<T>(Type type, string name, bool wanted)
    {
        if (!wanted)
        {
            return null;
        }

        ParameterExpression target = Expression.Parameter(typeof(object), "target");
        return Expression.Lambda<Func<object, T>>(Expression.Field(Expression.Convert(target, type), type.GetField(name)!), target).Compile();
    }

    /// <summary>Compiled, typed setters of the emitted input type's fields, by input index (null where the kind differs).</summary>
    private sealed class Setters
    {
        public Setters(ModelManifest manifest, Type input)
        {
            int n = manifest.Inputs.Count;
            Numbers = new Action<object, float>?[n];
            Booleans = new Action<object, bool>?[n];
            Texts = new Action<object, string?>?[n];
            Vectors = new Action<object, float[]>?[n];
            for (int i = 0; i < n; i++)
            {
                FieldInfo field = input.GetField($"f{i}")!;
                switch (manifest.Inputs[i].Kind)
                {
                    case "Text":
                        Texts[i] = Setter<string?>(field);
                        break;
                    case "Boolean":
                        Booleans[i] = Setter<bool>(field);
                        break;
                    case "Vector":
                        Vectors[i] = Setter<float[]>(field);
                        break;
                    default:
                        Numbers[i] = Setter<float>(field);
                        break;
                }
            }
        }

        public Action<object, float>?[] Numbers { get; }

        public Action<object, bool>?[] Booleans { get; }

        public Action<object, string?>?[] Texts { get; }

        public Action<object, float[]>?[] Vectors { get; }
    }

    /// <summary>A pooled engine with its own input object, which the converter fills through the typed setters.</summary>
    private sealed class Slot(IRowEngine engine, object input, Setters setters) : IRowTarget
    {
        public IRowEngine Engine { get; } = engine;

        public object Input { get; } = input;

        public void SetNumber(int input, float value) => setters.Numbers[input]!(Input, value);

        public void SetBoolean(int input, bool value) => setters.Booleans[input]!(Input, value);

        public void SetText(int input, string? value) => setters.Texts[input]!(Input, value);

        public void SetVector(int input, float[] value) => setters.Vectors[input]!(Input, value);
    }

    private sealed class SlotPolicy(Func<IRowEngine> create, Type input, Setters setters) : PooledObjectPolicy<Slot>
    {
        public override Slot Create() => new(create(), Activator.CreateInstance(input)!, setters);

        public override bool Return(Slot obj) => true;
    }

    private sealed class Engine<TIn, TOut> : IRowEngine
        where TIn : class
        where TOut : class, new()
    {
        private readonly PredictionEngine<TIn, TOut> _engine;

        public Engine(MLContext ml, ITransformer transformer, DataViewSchema schema)
        {
            _engine = ml.Model.CreatePredictionEngine<TIn, TOut>(transformer, schema);
        }

        public object Predict(object input) => _engine.Predict((TIn)input);
    }
}
