namespace MlToolkit.Internal;

internal static class Guard
{
    public static string NotNullOrWhiteSpace(string? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        ArgumentException.ThrowIfNullOrWhiteSpace(value, paramName);
        return value;
    }

    public static double Fraction(double value, string paramName, bool allowZero = true)
    {
        if (double.IsNaN(value) || value < 0 || value >= 1 || (!allowZero && value == 0))
        {
            throw new ArgumentOutOfRangeException(paramName, value,
                $"'{paramName}' must be a fraction in {(allowZero ? "[0, 1)" : "(0, 1)")}, for example 0.2.");
        }

        return value;
    }

    /// <summary>
    /// Adds a problem for each kind in <paramref name="columnTypes"/> that a scalar source cannot produce (only Number,
    /// Boolean and Text), and throws one <see cref="ArgumentException"/> that lists every problem, if there is any.
    /// </summary>
    /// <param name="columnTypes">The kinds asked for, by column.</param>
    /// <param name="what">What a column is called in the source (a database column, a JSON field).</param>
    /// <param name="source">The options' owner, for the message.</param>
    /// <param name="problems">The problems found so far.</param>
    public static void ThrowIfProblems(IDictionary<string, Data.ColumnKind> columnTypes, string what, string source, List<string> problems)
    {
        foreach ((string column, Data.ColumnKind kind) in columnTypes)
        {
            if (kind is not (Data.ColumnKind.Number or Data.ColumnKind.Boolean or Data.ColumnKind.Text))
            {
                problems.Add($"ColumnTypes['{column}'] is {kind}; {what} can be read as Number, Boolean or Text.");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"{source} options are not valid: " + string.Join(" ", problems));
        }
    }
}
