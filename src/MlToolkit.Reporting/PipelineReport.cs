using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using MlToolkit.Training.CrossValidation;
using MlToolkit.Training.Search;

namespace MlToolkit.Reporting;

/// <summary>The files a report was written to.</summary>
/// <param name="Html">The self-contained HTML file.</param>
/// <param name="Markdown">The Markdown file.</param>
/// <param name="Json">The JSON file.</param>
public sealed record ReportFiles(string Html, string Markdown, string Json);

/// <summary>
/// A report of a pipeline run, as one self-contained HTML page (plots inline as SVG; no script, font, image or style sheet
/// from anywhere, so it opens offline), as Markdown (the same tables, without plots) and as JSON (every figure, for tools).
/// It shows what the run has: the summary and timings, data quality, metrics, the confusion matrix, ROC and precision-recall
/// curves (binary), residuals (regression), feature importance, the learning curve, the cross-validation spread, the tuning
/// trials and the validation verdict.
/// </summary>
/// <example>
/// <code>
/// PipelineResult result = await pipeline.RunAsync();
/// ReportFiles files = await PipelineReport.Create(result, "Churn model").WriteAsync("artifacts/report");
/// </code>
/// </example>
public sealed class PipelineReport
{
    private readonly PipelineResult _r;
    private readonly List<Section> _sections = [];

    private PipelineReport(PipelineResult result, string title)
    {
        _r = result;
        Title = title;
        Build();
    }

    /// <summary>The title.</summary>
    public string Title { get; }

    /// <summary>The plots the report has, by name (<c>roc</c>, <c>precision-recall</c>, <c>residuals</c>, <c>feature-importance</c>, <c>learning-curve</c>, <c>cross-validation</c>, <c>tuning</c>).</summary>
    public IReadOnlyList<string> Plots => [.. _sections.SelectMany(s => s.Plots.Select(p => p.Name))];

    /// <summary>Makes the report of <paramref name="result"/>.</summary>
    /// <param name="result">The run's result.</param>
    /// <param name="title">The title, or <see langword="null"/> for one made of the task and trainer.</param>
    /// <returns>The report.</returns>
    public static PipelineReport Create(PipelineResult result, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new PipelineReport(result, title ?? $"{result.Trainer} — {Words(result.Task)}");
    }

    /// <summary>Writes <c>{name}.html</c>, <c>{name}.md</c> and <c>{name}.json</c> into <paramref name="folder"/> (created if needed).</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="name">The files' name without extension.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>The paths.</returns>
    public async Task<ReportFiles> WriteAsync(string folder, string name = "report", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var store = new LocalArtifactStore(folder);
        await WriteAsync(store, name, cancellationToken).ConfigureAwait(false);
        return new ReportFiles(store.GetPath(name + ".html"), store.GetPath(name + ".md"), store.GetPath(name + ".json"));
    }

    /// <summary>Writes <c>{key}.html</c>, <c>{key}.md</c> and <c>{key}.json</c> into a store (each write atomic).</summary>
    /// <param name="store">The store.</param>
    /// <param name="key">The key without extension, such as <c>reports/churn-v3</c>.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>The locations.</returns>
    public async Task<ReportFiles> WriteAsync(IArtifactStore store, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        foreach ((string extension, string content) in new[] { (".html", ToHtml()), (".md", ToMarkdown()), (".json", ToJson()) })
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(content), writable: false);
            await store.WriteAsync(key + extension, stream, ArtifactWriteMode.Overwrite, cancellationToken).ConfigureAwait(false);
        }

        return new ReportFiles(store.GetLocation(key + ".html"), store.GetLocation(key + ".md"), store.GetLocation(key + ".json"));
    }

    /// <summary>The report as one self-contained HTML page.</summary>
    /// <returns>The HTML.</returns>
    public string ToHtml()
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
            .Append(H(Title)).Append("</title>\n<style>\n")
            .Append("body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;color:#222}")
            .Append("h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}")
            .Append("table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}")
            .Append(".pass{color:#176a1a;font-weight:600}.fail{color:#b00020;font-weight:600}figure{display:inline-block;margin:.5em 1em .5em 0}figcaption{font-size:.9em;color:#555}.note{color:#555}")
            .Append("\n</style>\n</head>\n<body>\n<h1>").Append(H(Title)).Append("</h1>\n");
        foreach (Section section in _sections)
        {
            html.Append("<section id=\"").Append(section.Id).Append("\">\n<h2>").Append(H(section.Title)).Append("</h2>\n");
            foreach (string paragraph in section.Notes)
            {
                html.Append("<p class=\"note\">").Append(H(paragraph)).Append("</p>\n");
            }

            foreach (Table table in section.Tables)
            {
                html.Append("<table>\n<tr>").Append(string.Concat(table.Header.Select(h => $"<th>{H(h)}</th>"))).Append("</tr>\n");
                foreach (IReadOnlyList<Cell> row in table.Rows)
                {
                    html.Append("<tr>").Append(string.Concat(row.Select(c => c.Style is null ? $"<td>{H(c.Text)}</td>" : $"<td style=\"{c.Style}\">{H(c.Text)}</td>"))).Append("</tr>\n");
                }

                html.Append("</table>\n");
            }

            foreach (Plot plot in section.Plots)
            {
                html.Append("<figure id=\"plot-").Append(plot.Name).Append("\">").Append(plot.Svg).Append("<figcaption>").Append(H(plot.Caption)).Append("</figcaption></figure>\n");
            }

            html.Append("</section>\n");
        }

        html.Append("<p class=\"note\">Made by MlToolkit.Reporting.</p>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>The report as Markdown: the same sections and tables, plots left out.</summary>
    /// <returns>The Markdown.</returns>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.Append("# ").Append(Title).Append("\n\n");
        foreach (Section section in _sections)
        {
            md.Append("## ").Append(section.Title).Append("\n\n");
            foreach (string paragraph in section.Notes)
            {
                md.Append(paragraph).Append("\n\n");
            }

            foreach (Table table in section.Tables)
            {
                md.Append("| ").Append(string.Join(" | ", table.Header.Select(M))).Append(" |\n");
                md.Append('|').Append(string.Concat(table.Header.Select(_ => " --- |"))).Append('\n');
                foreach (IReadOnlyList<Cell> row in table.Rows)
                {
                    md.Append("| ").Append(string.Join(" | ", row.Select(c => M(c.Text)))).Append(" |\n");
                }

                md.Append('\n');
            }

            if (section.Plots.Count > 0)
            {
                md.Append("_Plots in the HTML report: ").Append(string.Join(", ", section.Plots.Select(p => p.Caption))).Append("._\n\n");
            }
        }

        return md.ToString();
    }

    /// <summary>The report's figures as JSON (undefined numbers as <c>null</c>).</summary>
    /// <returns>The JSON.</returns>
    public string ToJson() => ToJsonObject().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static string H(string text) => WebUtility.HtmlEncode(text);

    private static string M(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string F(double value, string format = "0.####") => double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);

    private static JsonNode? N(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    private static string Words(MlTask task) => task switch
    {
        MlTask.BinaryClassification => "binary classification",
        MlTask.MulticlassClassification => "multiclass classification",
        _ => "regression",
    };

    private void Build()
    {
        Summary();
        DataQuality();
        Metrics();
        switch (_r.Task)
        {
            case MlTask.BinaryClassification when _r.Metrics.Binary is { } binary:
                BinaryDetails(binary);
                break;
            case MlTask.MulticlassClassification when _r.Metrics.Multiclass is { } multiclass:
                MulticlassDetails(multiclass);
                break;
            case MlTask.Regression when _r.Metrics.Regression is { } regression:
                Residuals(regression);
                break;
        }

        Importance();
        LearningCurve();
        CrossValidation();
        Tuning();
        Validation();
    }

    private void Summary()
    {
        var section = new Section("summary", "Summary");
        section.Tables.Add(new Table(["", ""],
        [
            [new("task"), new(Words(_r.Task))],
            [new("trainer"), new(_r.Trainer)],
            [new("seed"), new(_r.Seed.ToString(CultureInfo.InvariantCulture))],
            [new("rows"), new(string.Create(CultureInfo.InvariantCulture, $"{_r.Rows:N0} (training {_r.TrainRows:N0}, validation {_r.ValidationRows:N0}, test {_r.TestRows:N0})"))],
            [new("model"), new(_r.ModelLocation ?? _r.DeploymentSkippedReason ?? "not deployed")],
        ]));
        section.Tables.Add(new Table(["stage", "seconds"], [.. _r.Timings.Select(t => (IReadOnlyList<Cell>)[new(t.Stage.ToString()), new(F(t.Duration.TotalSeconds, "0.###"))])]));
        _sections.Add(section);
    }

    private void DataQuality()
    {
        var q = _r.DataQuality;
        var section = new Section("data-quality", "Data quality");
        section.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"{q.Rows:N0} rows read; {q.SkippedRowCount:N0} malformed rows skipped; {q.DroppedMissingLabelRows:N0} rows dropped for a missing label."));
        section.Tables.Add(new Table(["column", "kind", "missing", "distinct", "constant"],
            [.. q.Columns.Select(c => (IReadOnlyList<Cell>)[new(c.Name), new(c.Kind.ToString()), new(c.Missing.ToString("N0", CultureInfo.InvariantCulture), c.Missing > 0 ? "background:#fff4e5" : null), new(c.Distinct.ToString("N0", CultureInfo.InvariantCulture)), new(c.IsConstant ? "yes" : string.Empty, c.IsConstant ? "background:#fde8e8" : null)])]));
        if (q.LabelDistribution.Count > 0)
        {
            long total = q.LabelDistribution.Sum(p => p.Value);
            section.Tables.Add(new Table(["label", "rows", "share"], [.. q.LabelDistribution.Select(p => (IReadOnlyList<Cell>)[new(p.Key), new(p.Value.ToString("N0", CultureInfo.InvariantCulture)), new(F((double)p.Value / total, "0.0%"))])]));
        }

        _sections.Add(section);
    }

    private void Metrics()
    {
        var section = new Section("metrics", "Metrics");
        EvaluationResult? training = TryTraining();
        var columns = new List<(string Name, EvaluationResult Result)> { ("test", _r.Metrics) };
        if (_r.ValidationMetrics is { } validation)
        {
            columns.Add(("validation", validation));
        }

        if (training is not null)
        {
            columns.Add(("training", training));
        }

        section.Tables.Add(new Table(["metric", .. columns.Select(c => c.Name)],
            [.. _r.Metrics.Metrics.Keys.Select(k => (IReadOnlyList<Cell>)[new(k), .. columns.Select(c => new Cell(F(c.Result[k])))])]));
        _sections.Add(section);
    }

    private EvaluationResult? TryTraining()
    {
        try
        {
            return _r.TrainingMetrics;
        }
        catch (MlToolkitException)
        {
            return null;
        }
    }

    private void BinaryDetails(BinaryClassificationReport binary)
    {
        var section = new Section("binary", "Confusion matrix and curves (test data)");
        section.Tables.Add(new Table(["actual \\ predicted", binary.NegativeClass, binary.PositiveClass],
        [
            [new(binary.NegativeClass), new(binary.TrueNegatives.ToString("N0", CultureInfo.InvariantCulture), "background:#e8f5e9"), new(binary.FalsePositives.ToString("N0", CultureInfo.InvariantCulture), "background:#fdecea")],
            [new(binary.PositiveClass), new(binary.FalseNegatives.ToString("N0", CultureInfo.InvariantCulture), "background:#fdecea"), new(binary.TruePositives.ToString("N0", CultureInfo.InvariantCulture), "background:#e8f5e9")],
        ]));
        if (binary.RocCurve.Count > 1)
        {
            double[] fpr = [.. binary.RocCurve.Select(p => p.FalsePositiveRate)];
            double[] tpr = [.. binary.RocCurve.Select(p => p.TruePositiveRate)];
            section.Plots.Add(new Plot("roc", $"ROC curve (AUC {F(_r.Metrics[Metric.Auc], "0.000")})", ReportPlots.Curve("ROC curve", "false-positive rate", "true-positive rate", [("ROC", fpr, tpr)], unitSquare: true, diagonal: true)));
            long positives = binary.TruePositives + binary.FalseNegatives, negatives = binary.TrueNegatives + binary.FalsePositives;
            var pr = binary.RocCurve.Where(p => p.TruePositiveRate > 0)
                .Select(p => (Recall: p.TruePositiveRate, Precision: p.TruePositiveRate * positives / ((p.TruePositiveRate * positives) + (p.FalsePositiveRate * negatives))))
                .ToList();
            if (pr.Count > 1)
            {
                section.Plots.Add(new Plot("precision-recall", $"Precision-recall curve (average precision {F(_r.Metrics[Metric.PrAuc], "0.000")})", ReportPlots.Curve("Precision-recall curve", "recall", "precision", [("precision", [.. pr.Select(p => p.Recall)], [.. pr.Select(p => p.Precision)])], unitSquare: true, diagonal: false)));
            }
        }

        _sections.Add(section);
    }

    private void MulticlassDetails(MulticlassClassificationReport multiclass)
    {
        var section = new Section("multiclass", "Confusion matrix and classes (test data)");
        long max = Math.Max(1, multiclass.ConfusionMatrix.SelectMany(r => r).DefaultIfEmpty(0).Max());
        section.Tables.Add(new Table(["actual \\ predicted", .. multiclass.Classes],
            [.. multiclass.Classes.Select((c, i) => (IReadOnlyList<Cell>)[new(c), .. multiclass.ConfusionMatrix[i].Select((v, j) => new Cell(v.ToString("N0", CultureInfo.InvariantCulture), $"background:rgba({(i == j ? "46,125,50" : "198,40,40")},{(0.08 + (0.6 * v / max)).ToString("0.00", CultureInfo.InvariantCulture)})"))])]));
        section.Tables.Add(new Table(["class", "precision", "recall", "F1", "rows"],
            [.. multiclass.PerClass.Select(c => (IReadOnlyList<Cell>)[new(c.Class), new(F(c.Precision, "0.000")), new(F(c.Recall, "0.000")), new(F(c.F1, "0.000")), new(c.Support.ToString("N0", CultureInfo.InvariantCulture))])]));
        _sections.Add(section);
    }

    private void Residuals(RegressionReport regression)
    {
        var section = new Section("residuals", "Residuals (test data)");
        double[] predicted = [.. regression.Predicted.Select(v => (double)v)];
        double[] residual = [.. regression.Actual.Zip(regression.Predicted, (a, p) => (double)a - p)];
        section.Notes.Add($"{regression.Actual.Count:N0} test rows plotted. A good model leaves residuals spread evenly around zero, with no pattern against the prediction.");
        section.Plots.Add(new Plot("residuals", "Residual (actual − predicted) against the prediction", ReportPlots.Points("Residuals", "predicted", "actual − predicted", predicted, residual, 0)));
        section.Plots.Add(new Plot("actual-predicted", "Actual against predicted", ReportPlots.Points("Actual vs predicted", "predicted", "actual", predicted, [.. regression.Actual.Select(v => (double)v)], null)));
        _sections.Add(section);
    }

    private void Importance()
    {
        if (_r.FeatureImportance is not { } importance)
        {
            return;
        }

        var section = new Section("feature-importance", "Feature importance");
        section.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"Permutation importance on the test data: the drop of {importance.Metric} (baseline {F(importance.Baseline)}) when a raw input column is shuffled, over {importance.Repeats} shuffles; a categorical column counts once."));
        section.Tables.Add(new Table(["column", "importance", "± SD"], [.. importance.Columns.Select(c => (IReadOnlyList<Cell>)[new(c.Column), new(F(c.Mean)), new(F(c.StandardDeviation))])]));
        section.Plots.Add(new Plot("feature-importance", $"Drop of {importance.Metric} when each column is shuffled", ReportPlots.HorizontalBars("Permutation importance", $"drop of {importance.Metric}", [.. importance.Columns.Select(c => c.Column)], [.. importance.Columns.Select(c => c.Mean)], [.. importance.Columns.Select(c => c.StandardDeviation)])));
        _sections.Add(section);
    }

    private void LearningCurve()
    {
        if (_r.LearningCurve is not { } curve)
        {
            return;
        }

        var section = new Section("learning-curve", "Learning curve");
        section.Notes.Add($"The same preparation and trainer on growing shares of the training part, scored on those rows and on the {curve.HeldOutName} data. A wide gap that stays says overfitting; curves meeting low say underfitting; a held-out curve still rising says more data would help.");
        section.Tables.Add(new Table(["training rows", $"training {curve.Metric}", $"{curve.HeldOutName} {curve.Metric}"], [.. curve.Points.Select(p => (IReadOnlyList<Cell>)[new(p.TrainRows.ToString("N0", CultureInfo.InvariantCulture)), new(F(p.TrainingScore)), new(F(p.HeldOutScore))])]));
        double[] rows = [.. curve.Points.Select(p => (double)p.TrainRows)];
        section.Plots.Add(new Plot("learning-curve", $"{curve.Metric} by training size", ReportPlots.Curve("Learning curve", "training rows", curve.Metric, [("training", rows, [.. curve.Points.Select(p => p.TrainingScore)]), (curve.HeldOutName, rows, [.. curve.Points.Select(p => p.HeldOutScore)])], unitSquare: false, diagonal: false)));
        _sections.Add(section);
    }

    private void CrossValidation()
    {
        if (_r.CrossValidation is not { } cv)
        {
            return;
        }

        var section = new Section("cross-validation", "Cross-validation");
        section.Notes.Add($"{cv.Folds.Count} folds ({cv.Strategy}) on the training part; each fold fitted the preparation and trainer on the other folds. Judged on {cv.Metric}: {(cv.Unstable ? "the folds disagree (standard deviation above " + F(cv.MaxStandardDeviation) + ")" : "the folds agree")}.");
        section.Tables.Add(new Table(["metric", "mean", "SD", "95% CI", .. cv.Folds.Select(f => $"fold {f.Fold}")],
            [.. cv.Summary.Select(s => (IReadOnlyList<Cell>)[new(s.Key), new(F(s.Value.Mean)), new(F(s.Value.StandardDeviation)), new($"{F(s.Value.Lower)} – {F(s.Value.Upper)}"), .. s.Value.Values.Select(v => new Cell(F(v)))])]));
        string[] plotted = [.. cv.Summary.Keys.Where(k => k is not (Metric.LogLoss or Metric.Rmse or Metric.Mae))];
        if (plotted.Length > 0)
        {
            section.Plots.Add(new Plot("cross-validation", "Each fold (blue) and the mean with its 95% interval (red)", ReportPlots.Spread("Cross-validation spread", "score", [.. plotted.Select(k => (k, cv.Summary[k].Values.ToArray(), cv.Summary[k].Mean, cv.Summary[k].Lower, cv.Summary[k].Upper))])));
        }

        _sections.Add(section);
    }

    private void Tuning()
    {
        if (_r.Tuning is not { } search)
        {
            return;
        }

        var section = new Section("tuning", "Hyperparameter search");
        section.Notes.Add($"{search.Strategy}: {search.Trials.Count} trials judged on {search.ValidationRows:N0} held-out rows by {search.Metric} ({(search.HigherIsBetter ? "higher" : "lower")} is better){(search.BudgetReached ? "; stopped by its time budget" : string.Empty)}. Best: {search.Best?.Description ?? "none"}.");
        IEnumerable<SearchTrial> top = search.HigherIsBetter ? search.Trials.OrderByDescending(t => double.IsNaN(t.Score) ? double.MinValue : t.Score) : search.Trials.OrderBy(t => double.IsNaN(t.Score) ? double.MaxValue : t.Score);
        section.Tables.Add(new Table(["trial", "configuration", search.Metric, "rows", "seconds"],
            [.. top.Take(15).Select(t => (IReadOnlyList<Cell>)[new(t.Number.ToString(CultureInfo.InvariantCulture), t == search.Best ? "font-weight:700" : null), new(t.Description), new(F(t.Score)), new(t.TrainRows.ToString("N0", CultureInfo.InvariantCulture)), new(F(t.Duration.TotalSeconds, "0.00"))])]));
        var groups = search.Trials.Where(t => !double.IsNaN(t.Score)).GroupBy(t => t.Trainer).Select(g => (g.Key, g.Select(t => (double)t.Number).ToArray(), g.Select(t => t.Score).ToArray())).ToList();
        if (groups.Count > 0)
        {
            section.Plots.Add(new Plot("tuning", $"{search.Metric} of each trial", ReportPlots.Trials("Tuning trials", search.Metric, groups, search.Best is { } b ? (b.Number, b.Score) : null)));
        }

        _sections.Add(section);
    }

    private void Validation()
    {
        if (_r.Validation is not { } verdict)
        {
            return;
        }

        var section = new Section("validation", $"Validation: {(verdict.Passed ? "passed" : "failed")}");
        if (verdict.Diagnosis is { } diagnosis)
        {
            section.Notes.Add($"Fit diagnosis: {diagnosis.Verdict}. {diagnosis.Explanation}");
        }

        section.Tables.Add(new Table(["gate", "result", "actual", "threshold", "reason"],
            [.. verdict.Gates.Select(g => (IReadOnlyList<Cell>)[new(g.Name), new(g.Passed ? "pass" : "fail", g.Passed ? "color:#176a1a;font-weight:600" : "color:#b00020;font-weight:600"), new(F(g.Actual)), new(F(g.Threshold)), new(g.Reason)])]));
        _sections.Add(section);
    }

    /// <summary>
    /// The report's figures as a JSON object (a new one on each call): <c>title</c>, <c>task</c>, <c>trainer</c>, <c>seed</c>,
    /// <c>rows</c>, <c>model</c>, <c>timings</c>, <c>dataQuality</c>, <c>metrics</c> and, when the run has them,
    /// <c>confusion</c>, <c>featureImportance</c>, <c>learningCurve</c>, <c>cv</c> (each metric's <c>mean</c>, <c>sd</c>,
    /// <c>lower</c> and <c>upper</c> 95% bounds), <c>tuning</c> (strategy, metric, trials and the best one) and <c>validation</c>.
    /// </summary>
    /// <returns>The object; non-finite numbers are <see langword="null"/>.</returns>
    public JsonObject ToJsonObject()
    {
        JsonObject Metrics(EvaluationResult e) => new(e.Metrics.Select(p => KeyValuePair.Create(p.Key, N(p.Value))));
        var json = new JsonObject
        {
            ["title"] = Title,
            ["task"] = _r.Task.ToString(),
            ["trainer"] = _r.Trainer,
            ["seed"] = _r.Seed,
            ["rows"] = new JsonObject { ["all"] = _r.Rows, ["training"] = _r.TrainRows, ["validation"] = _r.ValidationRows, ["test"] = _r.TestRows },
            ["model"] = _r.ModelLocation,
            ["timings"] = new JsonObject(_r.Timings.Select(t => KeyValuePair.Create(t.Stage.ToString(), N(t.Duration.TotalSeconds)))),
            ["dataQuality"] = new JsonObject
            {
                ["rows"] = _r.DataQuality.Rows,
                ["skippedRows"] = _r.DataQuality.SkippedRowCount,
                ["columns"] = new JsonArray([.. _r.DataQuality.Columns.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["kind"] = c.Kind.ToString(), ["missing"] = c.Missing, ["distinct"] = c.Distinct, ["constant"] = c.IsConstant })]),
            },
            ["metrics"] = new JsonObject { ["test"] = Metrics(_r.Metrics), ["validation"] = _r.ValidationMetrics is { } v ? Metrics(v) : null, ["training"] = TryTraining() is { } t ? Metrics(t) : null },
        };
        if (_r.Metrics.Binary is { } b)
        {
            json["confusion"] = new JsonObject { ["truePositives"] = b.TruePositives, ["falsePositives"] = b.FalsePositives, ["trueNegatives"] = b.TrueNegatives, ["falseNegatives"] = b.FalseNegatives };
        }
        else if (_r.Metrics.Multiclass is { } m)
        {
            json["confusion"] = new JsonObject { ["classes"] = new JsonArray([.. m.Classes.Select(c => (JsonNode)c)]), ["matrix"] = new JsonArray([.. m.ConfusionMatrix.Select(r => (JsonNode)new JsonArray([.. r.Select(x => (JsonNode)x)]))]) };
        }

        if (_r.FeatureImportance is { } fi)
        {
            json["featureImportance"] = new JsonObject { ["metric"] = fi.Metric, ["repeats"] = fi.Repeats, ["columns"] = new JsonObject(fi.Columns.Select(c => KeyValuePair.Create(c.Column, (JsonNode?)new JsonObject { ["mean"] = N(c.Mean), ["sd"] = N(c.StandardDeviation) }))) };
        }

        if (_r.LearningCurve is { } lc)
        {
            json["learningCurve"] = new JsonObject { ["metric"] = lc.Metric, ["heldOut"] = lc.HeldOutName, ["points"] = new JsonArray([.. lc.Points.Select(p => (JsonNode)new JsonObject { ["rows"] = p.TrainRows, ["training"] = N(p.TrainingScore), ["heldOut"] = N(p.HeldOutScore) })]) };
        }

        if (_r.CrossValidation is { } cv)
        {
            json["cv"] = new JsonObject(cv.Summary.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)new JsonObject { ["mean"] = N(s.Value.Mean), ["sd"] = N(s.Value.StandardDeviation), ["lower"] = N(s.Value.Lower), ["upper"] = N(s.Value.Upper) })));
        }

        if (_r.Tuning is { } search)
        {
            json["tuning"] = new JsonObject
            {
                ["strategy"] = search.Strategy.ToString(),
                ["metric"] = search.Metric,
                ["trials"] = search.Trials.Count,
                ["best"] = search.Best is { } best ? new JsonObject { ["trial"] = best.Number, ["trainer"] = best.Trainer, ["score"] = N(best.Score), ["parameters"] = new JsonObject(best.Parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(Hyperparameter.Format(p.Value))))) } : null,
            };
        }

        if (_r.Validation is { } verdict)
        {
            json["validation"] = new JsonObject { ["passed"] = verdict.Passed, ["verdict"] = verdict.Diagnosis?.Verdict.ToString(), ["gates"] = new JsonArray([.. verdict.Gates.Select(g => (JsonNode)new JsonObject { ["name"] = g.Name, ["passed"] = g.Passed, ["actual"] = N(g.Actual), ["threshold"] = N(g.Threshold), ["reason"] = g.Reason })]) };
        }

        json["plots"] = new JsonArray([.. Plots.Select(p => (JsonNode)p)]);
        return json;
    }

    private sealed record Cell(string Text, string? Style = null);

    private sealed record Table(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<Cell>> Rows);

    private sealed record Plot(string Name, string Caption, string Svg);

    private sealed class Section(string id, string title)
    {
        public string Id { get; } = id;

        public string Title { get; } = title;

        public List<string> Notes { get; } = [];

        public List<Table> Tables { get; } = [];

        public List<Plot> Plots { get; } = [];
    }
}
