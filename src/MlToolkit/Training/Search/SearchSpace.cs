using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;

namespace MlToolkit.Training.Search;

/// <summary>What a search needs from a space: its trainer, its dimensions, and a trainer for a drawn configuration.</summary>
public interface ISearchSpace
{
    /// <summary>The trainer's name, such as <c>LightGbm</c>.</summary>
    string TrainerName { get; }

    /// <summary>The task the trainer solves.</summary>
    MlTask Task { get; }

    /// <summary>The dimensions.</summary>
    IReadOnlyList<Hyperparameter> Parameters { get; }

    /// <summary>Creates the trainer for one configuration.</summary>
    /// <param name="values">A value for each dimension, by name.</param>
    /// <returns>The trainer.</returns>
    ITrainer CreateTrainer(IReadOnlyDictionary<string, object> values);
}

/// <summary>
/// A typed search space over an ML.NET trainer's options class: each dimension names the option it sets with a lambda
/// (<c>o =&gt; o.NumberOfLeaves</c>), so a misspelt option does not compile. <see cref="SearchSpaces"/> has a default space
/// for every built-in trainer; start from one of them, or from scratch:
/// <code>
/// new SearchSpace&lt;LightGbmBinaryTrainer.Options&gt;("LightGbm", MlTask.BinaryClassification, () =&gt; new(), Trainers.Binary.LightGbm)
///     .Int(o =&gt; o.NumberOfLeaves, 4, 64, log: true)
///     .Double(o =&gt; o.LearningRate, 0.02, 0.3, log: true);
/// </code>
/// </summary>
/// <typeparam name="TOptions">The trainer's options class.</typeparam>
public sealed class SearchSpace<TOptions> : ISearchSpace
    where TOptions : class
{
    private readonly Func<TOptions> _baseOptions;
    private readonly Func<TOptions, ITrainer> _create;
    private readonly List<(Hyperparameter Dimension, Action<TOptions, object> Set)> _dimensions = [];

    /// <summary>Creates an empty space.</summary>
    /// <param name="trainerName">The trainer's name, for reports.</param>
    /// <param name="task">The task.</param>
    /// <param name="baseOptions">Creates the options every configuration starts from.</param>
    /// <param name="create">Creates the trainer from options, such as <c>Trainers.Binary.LightGbm</c>.</param>
    public SearchSpace(string trainerName, MlTask task, Func<TOptions> baseOptions, Func<TOptions, ITrainer> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trainerName);
        TrainerName = trainerName;
        Task = task;
        _baseOptions = baseOptions ?? throw new ArgumentNullException(nameof(baseOptions));
        _create = create ?? throw new ArgumentNullException(nameof(create));
    }

    /// <inheritdoc />
    public string TrainerName { get; }

    /// <inheritdoc />
    public MlTask Task { get; }

    /// <inheritdoc />
    public IReadOnlyList<Hyperparameter> Parameters => [.. _dimensions.Select(d => d.Dimension)];

    /// <summary>Adds an integer dimension.</summary>
    /// <typeparam name="TMember">The option's type (an integer type, nullable or not).</typeparam>
    /// <param name="option">The option, such as <c>o =&gt; o.NumberOfLeaves</c>.</param>
    /// <param name="min">The smallest value.</param>
    /// <param name="max">The largest value.</param>
    /// <param name="log">Whether to draw on a log scale.</param>
    /// <returns>This space.</returns>
    public SearchSpace<TOptions> Int<TMember>(Expression<Func<TOptions, TMember>> option, int min, int max, bool log = false)
    {
        (string name, Action<TOptions, object> set) = Setter(option);
        return Add(new IntRange(name, min, max, log), set);
    }

    /// <summary>Adds a real dimension.</summary>
    /// <typeparam name="TMember">The option's type (<see cref="double"/> or <see cref="float"/>, nullable or not).</typeparam>
    /// <param name="option">The option, such as <c>o =&gt; o.LearningRate</c>.</param>
    /// <param name="min">The smallest value.</param>
    /// <param name="max">The largest value.</param>
    /// <param name="log">Whether to draw on a log scale.</param>
    /// <returns>This space.</returns>
    public SearchSpace<TOptions> Double<TMember>(Expression<Func<TOptions, TMember>> option, double min, double max, bool log = false)
    {
        (string name, Action<TOptions, object> set) = Setter(option);
        return Add(new DoubleRange(name, min, max, log), set);
    }

    /// <summary>Adds a choice among values.</summary>
    /// <typeparam name="T">The option's type.</typeparam>
    /// <param name="option">The option.</param>
    /// <param name="values">The values.</param>
    /// <returns>This space.</returns>
    public SearchSpace<TOptions> Choose<T>(Expression<Func<TOptions, T>> option, params T[] values)
        where T : notnull
    {
        (string name, Action<TOptions, object> set) = Setter(option);
        return Add(new Choice<T>(name, values), set);
    }

    /// <inheritdoc />
    public ITrainer CreateTrainer(IReadOnlyDictionary<string, object> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        TOptions options = _baseOptions();
        foreach ((Hyperparameter dimension, Action<TOptions, object> set) in _dimensions)
        {
            if (values.TryGetValue(dimension.Name, out object? value))
            {
                set(options, value);
            }
        }

        return _create(options);
    }

    /// <inheritdoc />
    public override string ToString() => $"{TrainerName}: {string.Join("; ", _dimensions.Select(d => d.Dimension))}";

    private SearchSpace<TOptions> Add(Hyperparameter dimension, Action<TOptions, object> set)
    {
        if (_dimensions.Any(d => d.Dimension.Name == dimension.Name))
        {
            throw new ArgumentException($"The search space of {TrainerName} already has a dimension {dimension.Name}.", nameof(dimension));
        }

        _dimensions.Add((dimension, set));
        return this;
    }

    private static (string Name, Action<TOptions, object> Set) Setter<TMember>(Expression<Func<TOptions, TMember>> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        if (option.Body is not MemberExpression { Member: FieldInfo or PropertyInfo } member || member.Expression is not ParameterExpression)
        {
            throw new ArgumentException($"'{option}' must name a field or property of {typeof(TOptions).Name}, such as o => o.NumberOfLeaves.", nameof(option));
        }

        Type target = Nullable.GetUnderlyingType(typeof(TMember)) ?? typeof(TMember);
        return member.Member switch
        {
            FieldInfo field => (field.Name, (o, v) => field.SetValue(o, Convert(v, target))),
            PropertyInfo property => (property.Name, (o, v) => property.SetValue(o, Convert(v, target))),
            _ => throw new ArgumentException($"'{option}' must name a field or property.", nameof(option)),
        };
    }

    private static object Convert(object value, Type target) => target.IsEnum || target == value.GetType() ? value : System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
}
