using System.Globalization;
using System.Text.Json;
using MlToolkit.Data;

namespace MlToolkit.Extraction.Http;

/// <summary>
/// Turns JSON records (objects) into typed columns as they arrive, page after page: nested objects flatten into
/// <c>parent.child</c> columns, a field's kind is that of its first non-null value (or <see cref="HttpJsonSourceOptions.ColumnTypes"/>),
/// and missing fields, nulls, mismatched kinds and case-only name differences follow the options' policies.
/// </summary>
internal sealed class JsonColumnsBuilder
{
    private readonly HttpJsonSourceOptions _options;
    private readonly string _source;
    private readonly Dictionary<string, Column> _columns;
    private readonly Dictionary<string, string> _caseless = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Column> _order = [];
    private readonly HashSet<Column> _seenInRecord = [];
    private int _rows;

    public JsonColumnsBuilder(HttpJsonSourceOptions options, string source)
    {
        _options = options;
        _source = source;
        _columns = new Dictionary<string, Column>(options.FieldNames == FieldNameMatching.IgnoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
    }

    public int RowCount => _rows;

    /// <summary>Adds one record; <paramref name="record"/> is its 0-based number across pages, for messages.</summary>
    public void Add(JsonElement element, long record)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Error(record, null, $"is {Describe(element.ValueKind)}, not an object; records must be JSON objects.");
        }

        _seenInRecord.Clear();
        AddObject(element, string.Empty, record);
        foreach (Column column in _order)
        {
            if (!_seenInRecord.Contains(column))
            {
                if (_options.MissingFields == MissingFieldHandling.Fail)
                {
                    throw Error(record, column.Name, "is missing, and the source is set to fail on missing fields (MissingFields). Set MissingFields = MissingFieldHandling.Missing to read it as missing.");
                }

                column.AddMissing(record, "is missing");
            }
        }

        _rows++;
    }

    public DataTable Build() => new(_order.Select(c => c.Build(_rows)));

    private void AddObject(JsonElement element, string prefix, long record)
    {
        foreach (JsonProperty property in element.EnumerateObject())
        {
            string name = prefix + property.Name;
            JsonElement value = property.Value;
            if (value.ValueKind == JsonValueKind.Object)
            {
                AddObject(value, name + ".", record);
                continue;
            }

            if (value.ValueKind == JsonValueKind.Array)
            {
                throw Error(record, name, "is an array; only numbers, booleans, strings, null and nested objects can become columns. Flatten it on the server, or ask for the records without it.");
            }

            Column column = ColumnFor(name, record);
            if (!_seenInRecord.Add(column))
            {
                throw Error(record, name, $"appears twice in the record{(_options.FieldNames == FieldNameMatching.IgnoreCase ? " (names are matched ignoring case)" : string.Empty)}.");
            }

            column.Add(value, record);
        }
    }

    private Column ColumnFor(string name, long record)
    {
        if (_columns.TryGetValue(name, out Column? column))
        {
            return column;
        }

        if (_options.FieldNames == FieldNameMatching.Exact && _caseless.TryGetValue(name, out string? other))
        {
            throw Error(record, name, $"differs from the field '{other}' only in case. Set FieldNames = FieldNameMatching.IgnoreCase to read them as one column.");
        }

        ColumnKind? kind = _options.ColumnTypes.TryGetValue(name, out ColumnKind given) ? given : null;
        column = new Column(this, name, kind);
        column.Start(_rows, record);
        _columns.Add(name, column);
        _caseless.TryAdd(name, name);
        _order.Add(column);
        return column;
    }

    private DataSourceException Error(long record, string? field, string problem)
        => new(_source, field is null
            ? $"{_source}: record {record.ToString(CultureInfo.InvariantCulture)} {problem}"
            : $"{_source}: record {record.ToString(CultureInfo.InvariantCulture)}, field '{field}': {problem}", record, field);

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    /// <summary>One column: its kind is decided by its first non-null value unless given.</summary>
    private sealed class Column(JsonColumnsBuilder owner, string name, ColumnKind? kind)
    {
        private readonly List<float> _numbers = [];
        private readonly List<bool> _booleans = [];
        private readonly List<string?> _texts = [];
        private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
        private readonly ColumnKind? _given = kind;
        private ColumnKind? _kind = kind;
        private int _pending; // missing values before the kind was known
        private long _decidedAt = -1;

        public string Name { get; } = name;

        /// <summary>The column first appears at row <paramref name="rows"/>: the earlier records lacked it.</summary>
        public void Start(int rows, long record)
        {
            if (rows > 0 && owner._options.MissingFields == MissingFieldHandling.Fail)
            {
                throw owner.Error(record - rows, Name, $"is missing, while record {record.ToString(CultureInfo.InvariantCulture)} has it, and the source is set to fail on missing fields (MissingFields).");
            }

            for (int i = 0; i < rows; i++)
            {
                AddMissing(record - rows + i, "is missing");
            }
        }

        public void Add(JsonElement value, long record)
        {
            if (value.ValueKind == JsonValueKind.Null)
            {
                AddMissing(record, "is null");
                return;
            }

            ColumnKind natural = value.ValueKind switch
            {
                JsonValueKind.Number => ColumnKind.Number,
                JsonValueKind.True or JsonValueKind.False => ColumnKind.Boolean,
                _ => ColumnKind.Text,
            };
            if (_kind is null)
            {
                Decide(natural, record);
            }

            switch (_kind)
            {
                case ColumnKind.Number when value.ValueKind == JsonValueKind.Number:
                    double number = value.GetDouble();
                    if (Math.Abs(number) > float.MaxValue)
                    {
                        throw owner.Error(record, Name, "is beyond the range of a 32-bit float (±3.4e38).");
                    }

                    _numbers.Add((float)number);
                    break;
                case ColumnKind.Number when value.ValueKind == JsonValueKind.String && _given == ColumnKind.Number:
                    // Only when ColumnTypes asked for a number: a numeric string is parsed with the invariant culture.
                    _numbers.Add(float.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out float parsed) && float.IsFinite(parsed)
                        ? parsed
                        : throw owner.Error(record, Name, "is a string that is not a number, and ColumnTypes reads it as a number."));
                    break;
                case ColumnKind.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    _booleans.Add(value.GetBoolean());
                    break;
                case ColumnKind.Text when value.ValueKind == JsonValueKind.String:
                    string text = value.GetString()!;
                    if (_pool.TryGetValue(text, out string? pooled))
                    {
                        text = pooled;
                    }
                    else if (_pool.Count < 4096)
                    {
                        _pool.Add(text, text);
                    }

                    _texts.Add(text);
                    break;
                case ColumnKind.Text when _given == ColumnKind.Text:
                    _texts.Add(value.GetRawText()); // a number or boolean read as text, when ColumnTypes asked for it
                    break;
                default:
                    string since = _decidedAt >= 0 ? $" (its first value, in record {_decidedAt.ToString(CultureInfo.InvariantCulture)}, made it {_kind})" : " (ColumnTypes)";
                    throw owner.Error(record, Name, $"is {Describe(value.ValueKind)}, but the column holds {_kind}{since}. Fix the data, or set ColumnTypes[\"{Name}\"] = ColumnKind.Text.");
            }
        }

        public void AddMissing(long record, string what)
        {
            switch (_kind)
            {
                case null:
                    _pending++;
                    break;
                case ColumnKind.Number:
                    _numbers.Add(float.NaN);
                    break;
                case ColumnKind.Text:
                    _texts.Add(null);
                    break;
                default:
                    throw owner.Error(record, Name, $"{what}, and a boolean cannot be missing. Read the field as a number (ColumnTypes[\"{Name}\"] = ColumnKind.Number gives 1, 0 and NaN for missing).");
            }
        }

        public DataTableColumn Build(int rows)
        {
            _kind ??= ColumnKind.Number; // only nulls: a column of missing numbers
            if (_pending > 0)
            {
                _numbers.AddRange(Enumerable.Repeat(float.NaN, _pending));
                _pending = 0;
            }

            return _kind switch
            {
                ColumnKind.Number => new NumberColumn(Name, [.. _numbers]),
                ColumnKind.Boolean => new BooleanColumn(Name, [.. _booleans]),
                _ => new TextColumn(Name, [.. _texts]),
            };
        }

        private void Decide(ColumnKind natural, long record)
        {
            _kind = natural;
            _decidedAt = record;
            int pending = _pending;
            _pending = 0;
            for (int i = 0; i < pending; i++)
            {
                AddMissing(record - pending + i, "is missing or null");
            }
        }
    }
}
