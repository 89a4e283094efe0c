using System.Globalization;

namespace MlToolkit.Training.Search;

/// <summary>One dimension of a search space: a named range or set of values that trials draw from.</summary>
public abstract class Hyperparameter
{
    /// <summary>Creates the dimension.</summary>
    /// <param name="name">The option's name, such as <c>NumberOfLeaves</c>.</param>
    protected Hyperparameter(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The option's name.</summary>
    public string Name { get; }

    /// <summary>Draws a value.</summary>
    /// <param name="random">The search's random source.</param>
    /// <returns>The value.</returns>
    public abstract object Sample(Random random);

    /// <summary>Evenly spaced values for a grid (on the log scale for log ranges).</summary>
    /// <param name="points">How many values (a choice gives all its values).</param>
    /// <returns>The values, in increasing order.</returns>
    public abstract IReadOnlyList<object> Grid(int points);

    /// <summary>Formats a value for reports.</summary>
    /// <param name="value">A value of this dimension.</param>
    /// <returns>The text.</returns>
    public static string Format(object value) => value switch
    {
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        float f => f.ToString("G4", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}

/// <summary>An integer range, linear or on a log scale.</summary>
public sealed class IntRange : Hyperparameter
{
    /// <summary>Creates the range.</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="min">The smallest value.</param>
    /// <param name="max">The largest value.</param>
    /// <param name="log">Whether to draw on a log scale (for sizes and counts that matter by their order of magnitude).</param>
    public IntRange(string name, int min, int max, bool log = false)
        : base(name)
    {
        if (min > max || (log && min < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(min), $"{name}: [{min}, {max}] is not a valid range{(log ? " on a log scale (it needs min ≥ 1)" : string.Empty)}.");
        }

        Min = min;
        Max = max;
        Log = log;
    }

    /// <summary>The smallest value.</summary>
    public int Min { get; }

    /// <summary>The largest value.</summary>
    public int Max { get; }

    /// <summary>Whether values are drawn on a log scale.</summary>
    public bool Log { get; }

    /// <inheritdoc />
    public override object Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double u = random.NextDouble();
        double value = Log ? Math.Exp(Math.Log(Min) + (u * (Math.Log(Max + 1) - Math.Log(Min)))) : Min + (u * (Max + 1 - Min));
        return Math.Clamp((int)Math.Floor(value), Min, Max);
    }

    /// <inheritdoc />
    public override IReadOnlyList<object> Grid(int points)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        if (points == 1)
        {
            return [(int)Math.Round(Log ? Math.Sqrt((double)Min * Max) : (Min + Max) / 2.0)];
        }

        return [.. Enumerable.Range(0, points)
            .Select(i => (int)Math.Round(Log ? Math.Exp(Math.Log(Min) + (i * (Math.Log(Max) - Math.Log(Min)) / (points - 1))) : Min + (i * (Max - Min) / (double)(points - 1))))
            .Distinct()
            .Cast<object>()];
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ∈ [{Min}, {Max}]{(Log ? " (log)" : string.Empty)}";
}

/// <summary>A real range, linear or on a log scale.</summary>
public sealed class DoubleRange : Hyperparameter
{
    /// <summary>Creates the range.</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="min">The smallest value.</param>
    /// <param name="max">The largest value.</param>
    /// <param name="log">Whether to draw on a log scale (learning rates, regularization).</param>
    public DoubleRange(string name, double min, double max, bool log = false)
        : base(name)
    {
        if (!(min <= max) || !double.IsFinite(min) || !double.IsFinite(max) || (log && min <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(min), $"{name}: [{min}, {max}] is not a valid range{(log ? " on a log scale (it needs min > 0)" : string.Empty)}.");
        }

        Min = min;
        Max = max;
        Log = log;
    }

    /// <summary>The smallest value.</summary>
    public double Min { get; }

    /// <summary>The largest value.</summary>
    public double Max { get; }

    /// <summary>Whether values are drawn on a log scale.</summary>
    public bool Log { get; }

    /// <inheritdoc />
    public override object Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double u = random.NextDouble();
        return Log ? Math.Exp(Math.Log(Min) + (u * (Math.Log(Max) - Math.Log(Min)))) : Min + (u * (Max - Min));
    }

    /// <inheritdoc />
    public override IReadOnlyList<object> Grid(int points)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        if (points == 1)
        {
            return [Log ? Math.Sqrt(Min * Max) : (Min + Max) / 2];
        }

        return [.. Enumerable.Range(0, points)
            .Select(i => Log ? Math.Exp(Math.Log(Min) + (i * (Math.Log(Max) - Math.Log(Min)) / (points - 1))) : Min + (i * (Max - Min) / (points - 1)))
            .Cast<object>()];
    }

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant($"{Name} ∈ [{Min}, {Max}]{(Log ? " (log)" : string.Empty)}");
}

/// <summary>A choice among values.</summary>
/// <typeparam name="T">The values' type.</typeparam>
public sealed class Choice<T> : Hyperparameter
    where T : notnull
{
    /// <summary>Creates the choice.</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="values">The values, at least one.</param>
    public Choice(string name, params T[] values)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfZero(values.Length);
        Values = values;
    }

    /// <summary>The values.</summary>
    public IReadOnlyList<T> Values { get; }

    /// <inheritdoc />
    public override object Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Values[random.Next(Values.Count)];
    }

    /// <inheritdoc />
    public override IReadOnlyList<object> Grid(int points) => [.. Values.Cast<object>()];

    /// <inheritdoc />
    public override string ToString() => $"{Name} ∈ {{{string.Join(", ", Values.Select(v => Format(v)))}}}";
}
