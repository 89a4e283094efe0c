using System.Data.Common;
using System.Globalization;
using MlToolkit.Data;

namespace MlToolkit.Extraction.Database;

/// <summary>
/// Reads one column of a <see cref="DbDataReader"/> into typed storage, value by value, with the typed getter its CLR type
/// calls for (no boxing, no per-row object), applying the NULL, infinity and range policies.
/// </summary>
internal abstract class DatabaseColumnReader
{
    protected DatabaseColumnReader(string name, ReadPolicy policy)
    {
        Name = name;
        Policy = policy;
    }

    public string Name { get; }

    protected ReadPolicy Policy { get; }

    /// <summary>Reads the value of column <paramref name="ordinal"/> in the current row (<paramref name="row"/> is 1-based, for messages).</summary>
    public abstract void Read(DbDataReader reader, int ordinal, long row);

    /// <summary>The finished column.</summary>
    public abstract DataTableColumn Build();

    /// <summary>A reader for a column the provider reports as <paramref name="type"/> (its declared SQL type <paramref name="sqlType"/>), or the reason it cannot be read.</summary>
    public static DatabaseColumnReader? Create(string name, Type type, string sqlType, ColumnKind? wanted, ReadPolicy policy, out string? problem)
    {
        problem = null;
        if (policy.DynamicTyping)
        {
            // SQLite: the reader reports the type of the first row's value, so the declared type decides (by SQLite's
            // affinity rules); each value's own type is checked as it is read.
            (TypeCategory affinity, Type nominal) = SqliteAffinity(sqlType);
            if (affinity == TypeCategory.Binary)
            {
                // BLOB: declared so, or an expression without a declared type. Its first value decides, unless told.
                return wanted switch
                {
                    null => new UndecidedColumn(name, policy),
                    ColumnKind.Number => new NumberColumnReader(name, typeof(double), policy),
                    ColumnKind.Boolean => new BooleanColumnReader(name, typeof(long), policy),
                    _ => new TextColumnReader(name, typeof(string), policy),
                };
            }

            type = nominal;
        }

        TypeCategory category = Categorize(type);

        ColumnKind? kind = wanted ?? category switch
        {
            TypeCategory.Number => ColumnKind.Number,
            TypeCategory.Boolean => ColumnKind.Boolean,
            TypeCategory.Text or TypeCategory.Temporal => ColumnKind.Text,
            _ => null,
        };
        switch (kind)
        {
            case ColumnKind.Number when category is TypeCategory.Number or TypeCategory.Boolean:
                return new NumberColumnReader(name, type, policy);
            case ColumnKind.Boolean when category is TypeCategory.Boolean || IsInteger(type):
                return new BooleanColumnReader(name, type, policy);
            case ColumnKind.Text when category is not TypeCategory.Binary and not TypeCategory.Other:
                return new TextColumnReader(name, type, policy);
            case null:
                problem = $"Column '{name}' has the SQL type {sqlType} ({type.Name}), which MlToolkit cannot read: cast it in the query (to a number or text), or leave it out.";
                return null;
            default:
                problem = $"Column '{name}' has the SQL type {sqlType} ({type.Name}), which cannot be read as {kind}; ColumnTypes can read numbers and booleans as Number, integers and booleans as Boolean, and anything but binary data as Text.";
                return null;
        }
    }

    /// <summary>SQLite's type affinity of a declared type (section 3.1 of its datatype documentation), with dates as text.</summary>
    private static (TypeCategory Category, Type Nominal) SqliteAffinity(string declared)
    {
        string d = declared.ToUpperInvariant();
        if (d.Contains("INT", StringComparison.Ordinal) || d.Contains("BOOL", StringComparison.Ordinal))
        {
            return (TypeCategory.Number, typeof(long));
        }

        if (d.Contains("CHAR", StringComparison.Ordinal) || d.Contains("CLOB", StringComparison.Ordinal) || d.Contains("TEXT", StringComparison.Ordinal)
            || d.Contains("DATE", StringComparison.Ordinal) || d.Contains("TIME", StringComparison.Ordinal))
        {
            // Dates and times are usually ISO text in SQLite; they are read as text like a server's dates are.
            return (TypeCategory.Text, typeof(string));
        }

        if (d.Length == 0 || d.Contains("BLOB", StringComparison.Ordinal))
        {
            return (TypeCategory.Binary, typeof(byte[]));
        }

        // REAL, FLOAT, DOUBLE, and NUMERIC affinity (NUMERIC, DECIMAL, BOOLEAN…).
        return (TypeCategory.Number, typeof(double));
    }

    internal static TypeCategory Categorize(Type type)
    {
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal) || IsInteger(type))
        {
            return TypeCategory.Number;
        }

        if (type == typeof(bool))
        {
            return TypeCategory.Boolean;
        }

        if (type == typeof(string) || type == typeof(char) || type == typeof(Guid))
        {
            return TypeCategory.Text;
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(DateOnly) || type == typeof(TimeOnly))
        {
            return TypeCategory.Temporal;
        }

        return type == typeof(byte[]) ? TypeCategory.Binary : TypeCategory.Other;
    }

    private static bool IsInteger(Type type)
        => type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte)
            || type == typeof(sbyte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong);

    /// <summary>The value as text for an error message, when the options allow it.</summary>
    protected string Quote(DbDataReader reader, int ordinal)
    {
        if (!Policy.IncludeValues)
        {
            return string.Empty;
        }

        try
        {
            return $" (value '{Convert.ToString(reader.GetValue(ordinal), CultureInfo.InvariantCulture)}')";
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException or FormatException)
        {
            return string.Empty;
        }
    }

    protected DataSourceException Error(long row, string problem)
        => new(Policy.Source, $"{Policy.Source}: row {row.ToString(CultureInfo.InvariantCulture)}, column '{Name}': {problem}", row, Name);

    /// <summary>Handles a NULL: stops when the policy says so, otherwise lets the caller store a missing value.</summary>
    protected void OnNull(long row)
    {
        if (Policy.Nulls == NullHandling.Fail)
        {
            throw Error(row, "is NULL, and the source is set to fail on NULL (DatabaseSourceOptions.Nulls). Filter or COALESCE it in the query, or set Nulls = NullHandling.Missing.");
        }
    }
}

/// <summary>How a type maps, before any override.</summary>
internal enum TypeCategory
{
    Number,
    Boolean,
    Text,
    Temporal,
    Binary,
    Other,
}

/// <summary>The policies every column reader applies.</summary>
internal sealed record ReadPolicy(string Source, NullHandling Nulls, InfinityHandling Infinity, bool IncludeValues, bool DynamicTyping);

internal sealed class NumberColumnReader(string name, Type type, ReadPolicy policy) : DatabaseColumnReader(name, policy)
{
    private readonly List<float> _values = [];

    public void AddMissing(int count) => _values.AddRange(Enumerable.Repeat(float.NaN, count));

    public override void Read(DbDataReader reader, int ordinal, long row)
    {
        if (reader.IsDBNull(ordinal))
        {
            OnNull(row);
            _values.Add(float.NaN);
            return;
        }

        Type actual = Policy.DynamicTyping ? reader.GetFieldType(ordinal) : type;
        double value;
        if (actual == typeof(double))
        {
            value = reader.GetDouble(ordinal);
        }
        else if (actual == typeof(long))
        {
            value = reader.GetInt64(ordinal);
        }
        else if (actual == typeof(int))
        {
            value = reader.GetInt32(ordinal);
        }
        else if (actual == typeof(float))
        {
            value = reader.GetFloat(ordinal);
        }
        else if (actual == typeof(short))
        {
            value = reader.GetInt16(ordinal);
        }
        else if (actual == typeof(decimal))
        {
            value = (double)reader.GetDecimal(ordinal);
        }
        else if (actual == typeof(bool))
        {
            value = reader.GetBoolean(ordinal) ? 1 : 0;
        }
        else if (actual == typeof(byte))
        {
            value = reader.GetByte(ordinal);
        }
        else if (Categorize(actual) == TypeCategory.Number)
        {
            value = Convert.ToDouble(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
        }
        else
        {
            throw Error(row, $"holds {(actual == typeof(string) ? "text" : actual.Name)} where the column holds numbers{Quote(reader, ordinal)}; SQLite would read it as 0. Fix the data, CAST it in the query, or read the column as Text (ColumnTypes).");
        }

        if (double.IsNaN(value))
        {
            _values.Add(float.NaN);
        }
        else if (double.IsInfinity(value))
        {
            if (Policy.Infinity == InfinityHandling.Fail)
            {
                throw Error(row, $"is {(value > 0 ? "+" : "-")}Infinity. Filter it in the query, or set DatabaseSourceOptions.Infinity = InfinityHandling.Missing to read it as missing.");
            }

            _values.Add(float.NaN);
        }
        else if (Math.Abs(value) > float.MaxValue)
        {
            throw Error(row, $"is beyond the range of a 32-bit float (±3.4e38){Quote(reader, ordinal)}; scale it in the query.");
        }
        else
        {
            _values.Add((float)value);
        }
    }

    public override DataTableColumn Build() => new NumberColumn(Name, [.. _values]);
}

internal sealed class BooleanColumnReader(string name, Type type, ReadPolicy policy) : DatabaseColumnReader(name, policy)
{
    private readonly List<bool> _values = [];

    public override void Read(DbDataReader reader, int ordinal, long row)
    {
        if (reader.IsDBNull(ordinal))
        {
            OnNull(row);
            throw Error(row, $"is NULL, and a boolean cannot be missing. Read the column as a number (ColumnTypes[\"{Name}\"] = ColumnKind.Number gives 1, 0 and NaN for NULL), or COALESCE it in the query.");
        }

        Type actual = Policy.DynamicTyping ? reader.GetFieldType(ordinal) : type;
        if (actual == typeof(bool))
        {
            _values.Add(reader.GetBoolean(ordinal));
            return;
        }

        long number = actual == typeof(long) ? reader.GetInt64(ordinal)
            : Categorize(actual) == TypeCategory.Number && actual != typeof(double) && actual != typeof(float) && actual != typeof(decimal)
                ? Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture)
                : throw Error(row, $"holds {actual.Name} where a boolean (1 or 0) was expected{Quote(reader, ordinal)}.");
        _values.Add(number switch
        {
            1 => true,
            0 => false,
            _ => throw Error(row, $"is {number.ToString(CultureInfo.InvariantCulture)}, but a boolean read from integers takes only 1 and 0."),
        });
    }

    public override DataTableColumn Build() => new BooleanColumn(Name, [.. _values]);
}

internal sealed class TextColumnReader(string name, Type type, ReadPolicy policy) : DatabaseColumnReader(name, policy)
{
    private readonly List<string?> _values = [];

    // Categories repeat: one string per distinct value, like the CSV source's pooling, up to a bound.
    private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);

    public void AddMissing(int count) => _values.AddRange(Enumerable.Repeat<string?>(null, count));

    public override void Read(DbDataReader reader, int ordinal, long row)
    {
        if (reader.IsDBNull(ordinal))
        {
            OnNull(row);
            _values.Add(null);
            return;
        }

        // SQLite stores every value of a TEXT column as text (its affinity converts numbers on insert), so a text column is
        // read without asking each value's type; only an expression column can mix kinds.
        Type actual = Policy.DynamicTyping && type != typeof(string) ? reader.GetFieldType(ordinal) : type;
        string text = actual == typeof(string) ? reader.GetString(ordinal)
            : actual == typeof(DateTime) ? reader.GetDateTime(ordinal).ToString("O", CultureInfo.InvariantCulture)
            : actual == typeof(bool) ? (reader.GetBoolean(ordinal) ? "true" : "false")
            : actual == typeof(byte[]) ? throw Error(row, "holds binary data, which cannot be read as text; leave it out of the query.")
            : reader.GetValue(ordinal) switch
            {
                DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
                DateOnly d => d.ToString("O", CultureInfo.InvariantCulture),
                TimeOnly t => t.ToString("O", CultureInfo.InvariantCulture),
                TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
                Guid g => g.ToString("D"),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                object o => o.ToString() ?? string.Empty,
            };
        if (_pool.TryGetValue(text, out string? pooled))
        {
            text = pooled;
        }
        else if (_pool.Count < 4096)
        {
            _pool.Add(text, text);
        }

        _values.Add(text);
    }

    public override DataTableColumn Build() => new TextColumn(Name, [.. _values]);
}

/// <summary>A SQLite expression column without a declared type: its first non-NULL value decides whether it is numbers or text.</summary>
internal sealed class UndecidedColumn(string name, ReadPolicy policy) : DatabaseColumnReader(name, policy)
{
    private DatabaseColumnReader? _decided;
    private int _leadingNulls;

    public override void Read(DbDataReader reader, int ordinal, long row)
    {
        if (_decided is null)
        {
            if (reader.IsDBNull(ordinal))
            {
                OnNull(row);
                _leadingNulls++;
                return;
            }

            Type actual = reader.GetFieldType(ordinal);
            switch (Categorize(actual))
            {
                case TypeCategory.Number:
                    var numbers = new NumberColumnReader(Name, actual, Policy);
                    numbers.AddMissing(_leadingNulls);
                    _decided = numbers;
                    break;
                case TypeCategory.Text:
                    var texts = new TextColumnReader(Name, actual, Policy);
                    texts.AddMissing(_leadingNulls);
                    _decided = texts;
                    break;
                default:
                    throw Error(row, $"holds {(actual == typeof(byte[]) ? "binary data" : actual.Name)}, which MlToolkit cannot read: cast it in the query, or leave it out.");
            }
        }

        _decided.Read(reader, ordinal, row);
    }

    public override DataTableColumn Build()
    {
        if (_decided is not null)
        {
            return _decided.Build();
        }

        // Only NULLs: a column of missing numbers (the data-quality report shows it as constant).
        var numbers = new NumberColumnReader(Name, typeof(double), Policy);
        numbers.AddMissing(_leadingNulls);
        return numbers.Build();
    }
}
