using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MlToolkit.Benchmarks;

/// <summary>
/// Whether the run is a <c>--quick</c> one: <c>MLTOOLKIT_BENCH_QUICK=1</c>, set by <see cref="Program"/> so that it also reaches
/// the processes BenchmarkDotNet starts. The training and prediction benchmarks then use small data.
/// </summary>
public static class BenchmarkMode
{
    public const string QuickVariable = "MLTOOLKIT_BENCH_QUICK";

    public static bool Quick => Environment.GetEnvironmentVariable(QuickVariable) == "1";
}

/// <summary>
/// Runs the raw side's one-off calls in a setup on a thread that ends afterwards. LightGBM parallelises with GNU OpenMP, which
/// keeps a team of threads for every thread that ever called it while that thread lives; with more OpenMP threads than cores,
/// every fit slows down by up to 1.6× on 2 cores. BenchmarkDotNet calls the raw side on the main thread, so a setup call there
/// would leave a team behind in the MlToolkit case's process (MlToolkit fits on threads that end, see its
/// <c>DedicatedThread</c>), and the comparison would no longer be fair.
/// </summary>
public static class OpenMpHygiene
{
    /// <summary>Runs <paramref name="work"/> on a new thread and waits for it.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The work.</param>
    /// <returns>Its result.</returns>
    public static T OnThreadOfItsOwn<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        T result = default!;
        var thread = new Thread(() => result = work());
        thread.Start();
        thread.Join();
        return result;
    }
}

/// <summary>
/// The difference of a case's mean time from its baseline's (same logical group: same parameters, or same category),
/// in a fixed unit: the "fixed cost" half of a target such as "ratio ≤ 1.05 plus ≤ 50 ms".
/// </summary>
public sealed class BaselineDeltaColumn : IColumn
{
    private readonly double _nanosecondsPerUnit;
    private readonly string _format;

    /// <summary>Creates the column.</summary>
    /// <param name="unit">The unit's name, shown in the header (<c>ms</c>, <c>µs</c>, <c>ns</c>).</param>
    /// <param name="nanosecondsPerUnit">Nanoseconds in one unit (1e6 for ms).</param>
    /// <param name="format">The number format, such as <c>N1</c>.</param>
    public BaselineDeltaColumn(string unit, double nanosecondsPerUnit, string format = "N1")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(unit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nanosecondsPerUnit);
        ColumnName = $"Δ {unit}";
        _nanosecondsPerUnit = nanosecondsPerUnit;
        _format = format;
    }

    public string Id => "MlToolkit.BaselineDelta." + ColumnName;

    public string ColumnName { get; }

    public string Legend => $"Mean minus the baseline's Mean (same parameters or category), in {ColumnName[2..]}";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Baseline;

    public int PriorityInCategory => 10;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        BenchmarkCase? baseline = summary.GetBaseline(summary.GetLogicalGroupKey(benchmarkCase));
        if (baseline is null
            || summary[benchmarkCase]?.ResultStatistics is not { } mine
            || summary[baseline]?.ResultStatistics is not { } theirs)
        {
            return "?";
        }

        double delta = (mine.Mean - theirs.Mean) / _nanosecondsPerUnit;
        return delta.ToString(_format, CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
