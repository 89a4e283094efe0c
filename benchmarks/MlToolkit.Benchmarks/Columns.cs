using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MlToolkit.Benchmarks;

/// <summary>Shared plumbing of the custom columns: the case's row count and its generated file.</summary>
public abstract class RowsColumnBase : IColumn
{
    public abstract string Id { get; }

    public abstract string ColumnName { get; }

    public abstract string Legend { get; }

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public abstract int PriorityInCategory { get; }

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        BenchmarkReport? report = summary[benchmarkCase];
        if (report is null || benchmarkCase.Parameters["Rows"] is not int rows)
        {
            return "?";
        }

        return Compute(report, benchmarkCase, rows) is { } value ? value.ToString("N1", CultureInfo.InvariantCulture) : "?";
    }

    protected abstract double? Compute(BenchmarkReport report, BenchmarkCase benchmarkCase, int rows);

    public override string ToString() => ColumnName;
}

/// <summary>MB/s: the generated file's size in bytes / 1e6, divided by the mean time of one operation in seconds.</summary>
public sealed class ThroughputColumn : RowsColumnBase
{
    public override string Id => "MlToolkit.MBps";

    public override string ColumnName => "MB/s";

    public override string Legend => "Throughput: size of the CSV file in MB (1e6 bytes) / Mean in seconds";

    public override int PriorityInCategory => 0;

    protected override double? Compute(BenchmarkReport report, BenchmarkCase benchmarkCase, int rows)
    {
        string path = CsvDataGenerator.PathFor(rows);
        if (report.ResultStatistics is not { } stats || stats.Mean <= 0 || !File.Exists(path))
        {
            return null;
        }

        return new FileInfo(path).Length / 1e6 / (stats.Mean / 1e9);
    }
}

/// <summary>B/row: bytes allocated by one operation divided by the row count.</summary>
public sealed class BytesPerRowColumn : RowsColumnBase
{
    public override string Id => "MlToolkit.BytesPerRow";

    public override string ColumnName => "Alloc B/row";

    public override string Legend => "Managed bytes allocated per operation / Rows";

    public override int PriorityInCategory => 1;

    protected override double? Compute(BenchmarkReport report, BenchmarkCase benchmarkCase, int rows)
        => report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase) is { } bytes ? (double)bytes / rows : null;
}
