using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using MlToolkit.Deployment.Registry;

namespace MlToolkit.Deployment.Prediction;

/// <summary>
/// A typed prediction service: <typeparamref name="TInput"/> objects in (ML.NET's column rules: properties, <c>[ColumnName]</c>,
/// <c>[VectorType]</c>), <typeparamref name="TOutput"/> out. ML.NET's <c>PredictionEngine</c> gives wrong answers when shared
/// between threads, so engines are pooled, one per concurrent caller, never shared; each loaded version has its own pool, so
/// a request that started on a version finishes on it.
/// </summary>
/// <typeparam name="TInput">The input type.</typeparam>
/// <typeparam name="TOutput">The output type (for example with <c>Score</c>, <c>Probability</c>, <c>PredictedLabel</c>).</typeparam>
public sealed class PredictionService<TInput, TOutput> : PredictionServiceBase<EnginePool<TInput, TOutput>>
    where TInput : class
    where TOutput : class, new()
{
    /// <summary>Creates the service; call <see cref="PredictionServiceBase{TState}.StartAsync"/> before predicting.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="logger">The logger, or <see langword="null"/>.</param>
    public PredictionService(ModelRegistry registry, PredictionServiceOptions? options = null, ILogger? logger = null)
        : base(registry, options, logger)
    {
    }

    /// <summary>Predicts one row; safe to call from any number of threads.</summary>
    /// <param name="input">The row.</param>
    /// <returns>The prediction and the version that made it.</returns>
    /// <exception cref="PredictionInputException">A number is infinite, or a category is unseen and refused.</exception>
    public (TOutput Output, int Version) Predict(TInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Served served = Current;
        EnginePool<TInput, TOutput> pool = served.State;
        CountUnseen(pool.Check(input, Options.UnseenCategories, served.Model.Manifest.Name));
        PredictionEngine<TInput, TOutput> engine = pool.Pool.Get();
        try
        {
            return (engine.Predict(input), served.Model.Manifest.Version);
        }
        finally
        {
            pool.Pool.Return(engine);
        }
    }

    /// <summary>Predicts a batch with one pass through the model (ML.NET's <c>Transform</c>), which is faster than row by row.</summary>
    /// <param name="inputs">The rows.</param>
    /// <returns>The predictions in order, and the version that made them.</returns>
    /// <exception cref="PredictionInputException">A row is null, a number is infinite, or a category is unseen and refused (the message names the row).</exception>
    public (IReadOnlyList<TOutput> Outputs, int Version) PredictBatch(IReadOnlyList<TInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count > Options.MaxBatchSize)
        {
            throw new PredictionInputException(Registry.Name, "(batch)", $"has {inputs.Count} rows, more than the {Options.MaxBatchSize} allowed.");
        }

        Served served = Current;
        int unseen = 0;
        for (int r = 0; r < inputs.Count; r++)
        {
            if (inputs[r] is null)
            {
                throw new PredictionInputException(Registry.Name, "(row)", "is null; send an object for every row.", r);
            }

            try
            {
                unseen += served.State.Check(inputs[r], Options.UnseenCategories, served.Model.Manifest.Name);
            }
            catch (PredictionInputException ex)
            {
                throw new PredictionInputException(ex.DataSource ?? Registry.Name, ex.Field, ex.Reason, r);
            }
        }

        CountUnseen(unseen);
        MLContext ml = served.Model.MLContext;
        IDataView scored = served.Model.Transformer.Transform(ml.Data.LoadFromEnumerable(inputs));
        return (ml.Data.CreateEnumerable<TOutput>(scored, reuseRowObject: false).ToList(), served.Model.Manifest.Version);
    }

    /// <inheritdoc />
    protected override EnginePool<TInput, TOutput> CreateState(LoadedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new EnginePool<TInput, TOutput>(model);
    }
}

/// <summary>The engines and input checks of one loaded version, for <see cref="PredictionService{TInput, TOutput}"/>.</summary>
/// <typeparam name="TInput">The input type.</typeparam>
/// <typeparam name="TOutput">The output type.</typeparam>
public sealed class EnginePool<TInput, TOutput>
    where TInput : class
    where TOutput : class, new()
{
    private readonly (string Name, Func<TInput, float> Get)[] _floats;
    private readonly (string Name, Func<TInput, double> Get)[] _doubles;
    private readonly (string Name, Func<TInput, string?> Get, HashSet<string> Categories)[] _texts;
    private readonly (string Name, Func<TInput, float[]?> Get, int? Size)[] _vectors;

    internal EnginePool(LoadedModel model)
    {
        var policy = new Policy(model);
        Pool = new DefaultObjectPool<PredictionEngine<TInput, TOutput>>(policy, Math.Max(4, Environment.ProcessorCount * 2));
        try
        {
            // Creating one engine checks that TInput has every column the model reads, with the right types.
            Pool.Return(Pool.Get());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ModelRegistryException(model.Manifest.Name, model.Manifest.Version, $"cannot be served with input type {typeof(TInput).Name}: {ex.Message}", null, ex);
        }

        // ML.NET's own mapping of TInput's members to columns ([ColumnName], [NoColumn]…), read through compiled accessors
        // (no reflection or boxing per call).
        var inputs = model.Manifest.Inputs.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var members = Microsoft.ML.Data.SchemaDefinition.Create(typeof(TInput), Microsoft.ML.Data.SchemaDefinition.Direction.Read)
            .Where(c => inputs.ContainsKey(c.ColumnName))
            .Select(c => (c.ColumnName, Member: typeof(TInput).GetMember(c.MemberName, BindingFlags.Public | BindingFlags.Instance).FirstOrDefault()))
            .Where(c => c.Member is PropertyInfo { CanRead: true } or FieldInfo)
            .Select(c => (c.ColumnName, Type: c.Member is PropertyInfo p ? p.PropertyType : ((FieldInfo)c.Member!).FieldType, c.Member!))
            .ToList();
        _floats = [.. members.Where(m => m.Type == typeof(float)).Select(m => (m.ColumnName, Accessor<float>(m.Item3)))];
        _doubles = [.. members.Where(m => m.Type == typeof(double)).Select(m => (m.ColumnName, Accessor<double>(m.Item3)))];
        _texts = [.. members.Where(m => m.Type == typeof(string) && inputs[m.ColumnName] is { Kind: "Text", CategoriesComplete: true, Categories: not null })
            .Select(m => (m.ColumnName, Accessor<string?>(m.Item3), inputs[m.ColumnName].Categories!.ToHashSet(StringComparer.Ordinal)))];
        _vectors = [.. members.Where(m => m.Type == typeof(float[])).Select(m => (m.ColumnName, Accessor<float[]?>(m.Item3), inputs[m.ColumnName].Size))];
    }

    internal ObjectPool<PredictionEngine<TInput, TOutput>> Pool { get; }

    /// <summary>Refuses infinite numbers and wrong vector lengths; counts (or refuses) unseen categories.</summary>
    internal int Check(TInput input, UnseenCategoryPolicy policy, string model)
    {
        foreach ((string name, Func<TInput, float> get) in _floats)
        {
            if (float.IsInfinity(get(input)))
            {
                throw new PredictionInputException(model, name, "must be a finite number (NaN is a missing value).");
            }
        }

        foreach ((string name, Func<TInput, double> get) in _doubles)
        {
            if (double.IsInfinity(get(input)))
            {
                throw new PredictionInputException(model, name, "must be a finite number (NaN is a missing value).");
            }
        }

        foreach ((string name, Func<TInput, float[]?> get, int? size) in _vectors)
        {
            float[]? vector = get(input);
            if (vector is null)
            {
                continue;
            }

            if (size is { } expected && vector.Length != expected)
            {
                throw new PredictionInputException(model, name, $"must have {expected} numbers but has {vector.Length}.");
            }

            if (Array.Exists(vector, float.IsInfinity))
            {
                throw new PredictionInputException(model, name, "must hold finite numbers only (NaN is a missing value).");
            }
        }

        int unseen = 0;
        foreach ((string name, Func<TInput, string?> get, HashSet<string> categories) in _texts)
        {
            if (get(input) is { Length: > 0 } value && !categories.Contains(value))
            {
                if (policy == UnseenCategoryPolicy.Reject)
                {
                    throw new PredictionInputException(model, name, "has a category that was not in the training data (unseen categories are refused).");
                }

                unseen++;
            }
        }

        return unseen;
    }

    private static Func<TInput, T> Accessor<T>(MemberInfo member)
    {
        System.Linq.Expressions.ParameterExpression input = System.Linq.Expressions.Expression.Parameter(typeof(TInput), "input");
        return System.Linq.Expressions.Expression.Lambda<Func<TInput, T>>(System.Linq.Expressions.Expression.MakeMemberAccess(input, member), input).Compile();
    }

    private sealed class Policy(LoadedModel model) : PooledObjectPolicy<PredictionEngine<TInput, TOutput>>
    {
        public override PredictionEngine<TInput, TOutput> Create()
            => model.MLContext.Model.CreatePredictionEngine<TInput, TOutput>(model.Transformer, model.InputSchema);

        public override bool Return(PredictionEngine<TInput, TOutput> obj) => true;
    }
}
