using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace MlToolkit.Benchmarks;

/// <summary>
/// Entry point. Besides BenchmarkDotNet's own arguments (<c>--filter</c>, <c>--job</c>, <c>--exporters</c>…) it takes:
/// <list type="bullet">
/// <item><c>--quick</c>: 4 warmup and 5 measured iterations of 200 ms, in process, on small data (20,000 CSV rows after checking
/// that every reader reads the same values; 5,000 training rows; 2,500 rows cross-validated; a prediction model trained on
/// 5,000 rows; the wide-data preparation on 10 and 1,000 columns of 500 rows); for CI, where
/// <c>--quick --filter '*'</c> takes about 2.5 minutes on 2 cores (the budget is 4).</item>
/// <item><c>--rows 1000000</c> (or <c>--rows 100000,1000000</c>): the CSV row counts instead of 100,000 and 1,000,000.</item>
/// <item><c>--verify</c>: only check that every CSV reader reads the same values, and exit.</item>
/// <item><see cref="RealDataBenchmarks"/> runs only where the shared data sets are found (see <see cref="SharedData"/>), and
/// never with <c>--quick</c>.</item>
/// </list>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var rest = new List<string>();
        bool quick = false, verifyOnly = false;
        string? rows = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--verify":
                    verifyOnly = true;
                    break;
                case "--rows" when i + 1 < args.Length:
                    rows = args[++i];
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        if (quick)
        {
            // Read by TrainingBenchmarks and PredictionBenchmarks (see BenchmarkMode).
            Environment.SetEnvironmentVariable(BenchmarkMode.QuickVariable, "1");
        }

        rows ??= quick ? "20000" : null;
        if (rows is not null)
        {
            // Read by CsvIngestionBenchmarks.RowCounts, in this process and in the processes BenchmarkDotNet starts.
            BenchmarkSettings.ParseRowCounts(rows);
            Environment.SetEnvironmentVariable(BenchmarkSettings.RowsVariable, rows);
        }

        if (verifyOnly || quick)
        {
            int verifyRows = rows is null ? 20_000 : BenchmarkSettings.RowCounts.Min();
            if (!Verify(verifyRows))
            {
                return 2;
            }

            if (verifyOnly)
            {
                return 0;
            }
        }

        IConfig config = DefaultConfig.Instance;
        if (quick)
        {
            Job job = Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(4)
                .WithIterationCount(5)
                .WithIterationTime(TimeInterval.FromMilliseconds(200))
                // In process, with a timeout far above any quick run: BenchmarkDotNet's default in-process timeout aborted a
                // run with "takes too long to run" on a busy machine (LightGBM's OpenMP spins when another process holds the
                // cores), and CI must not fail only because the machine is slow.
                .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(60), logOutput: true))
                .WithId("Quick");
            config = config.AddJob(job.AsDefault());
        }

        // The real-data suite runs only where the shared data sets are (never in quick mode); the folder found here reaches the
        // processes BenchmarkDotNet starts through the environment.
        Type[] suites = [.. typeof(Program).Assembly.GetTypes().Where(t => t.IsPublic && !t.IsAbstract && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkAttribute), false)))];
        if (!quick && SharedData.Folder is { } shared)
        {
            Environment.SetEnvironmentVariable(SharedData.Variable, shared);
        }
        else
        {
            suites = [.. suites.Where(t => t != typeof(RealDataBenchmarks))];
        }

        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromTypes(suites).Run([.. rest], config);
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }

    /// <summary>Runs every benchmark once on <paramref name="rows"/> rows and checks that they all see the same values.</summary>
    private static bool Verify(int rows)
    {
        var bench = new CsvIngestionBenchmarks { Rows = rows };
        bench.Setup();
        var results = new (string Name, Checksum Sum)[]
        {
            (nameof(CsvIngestionBenchmarks.RawCsvHelper), bench.RawCsvHelper()),
            (nameof(CsvIngestionBenchmarks.MlToolkitCsv), bench.MlToolkitCsv().GetAwaiter().GetResult()),
            (nameof(CsvIngestionBenchmarks.MlNetTextLoader), bench.MlNetTextLoader()),
            (nameof(CsvIngestionBenchmarks.Sep), bench.Sep()),
        };

        bool ok = true;
        foreach ((string name, Checksum sum) in results)
        {
            bool agrees = sum.AgreesWith(results[0].Sum) && sum.Rows == rows;
            ok &= agrees;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"// Verify {name,-16} rows={sum.Rows} floatSum={sum.FloatSum:R} NaN={sum.MissingFloats} true={sum.Trues} texts={sum.Texts} chars={sum.TextChars} {(agrees ? "OK" : "MISMATCH")}"));
        }

        return ok;
    }
}
