using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Evaluation;

/// <summary>
/// The built-in metrics, computed as scikit-learn computes them (log-loss in nats with probabilities clipped
/// to [1e-15, 1 - 1e-15]; PR-AUC as average precision). A metric that is undefined on the data (ROC-AUC with
/// one class, R² with a constant label) is <see cref="double.NaN"/>, never an exception.
/// </summary>
public sealed class DefaultEvaluator : IEvaluator
{
    private const double Epsilon = 1e-15;

    /// <summary>The shared instance.</summary>
    public static DefaultEvaluator Instance { get; } = new();

    /// <inheritdoc />
    public EvaluationResult Evaluate(EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Task switch
        {
            MlTask.BinaryClassification => EvaluateBinary(context),
            MlTask.MulticlassClassification => EvaluateMulticlass(context),
            _ => EvaluateRegression(context),
        };
    }

    private static EvaluationResult EvaluateBinary(EvaluationContext context)
    {
        IDataView data = context.Scored;
        var labels = new List<bool>();
        var probabilities = new List<float>();
        DataViewSchema.Column labelCol = data.Schema[context.LabelColumn];
        DataViewSchema.Column probCol = data.Schema["Probability"];
        DataViewSchema.Column predCol = data.Schema["PredictedLabel"];
        var predicted = new List<bool>();
        using (DataViewRowCursor cursor = data.GetRowCursor([labelCol, probCol, predCol]))
        {
            ValueGetter<bool> label = cursor.GetGetter<bool>(labelCol);
            ValueGetter<float> prob = cursor.GetGetter<float>(probCol);
            ValueGetter<bool> pred = cursor.GetGetter<bool>(predCol);
            bool l = false, p = false;
            float pr = 0;
            while (cursor.MoveNext())
            {
                label(ref l);
                prob(ref pr);
                pred(ref p);
                labels.Add(l);
                probabilities.Add(pr);
                predicted.Add(p);
            }
        }

        long tp = 0, fp = 0, tn = 0, fn = 0;
        double logLoss = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            (tp, fp, tn, fn) = (labels[i], predicted[i]) switch
            {
                (true, true) => (tp + 1, fp, tn, fn),
                (false, true) => (tp, fp + 1, tn, fn),
                (false, false) => (tp, fp, tn + 1, fn),
                _ => (tp, fp, tn, fn + 1),
            };
            double p = Math.Clamp(probabilities[i], Epsilon, 1 - Epsilon);
            logLoss -= labels[i] ? Math.Log(p) : Math.Log(1 - p);
        }

        long n = labels.Count;
        // As scikit-learn with zero_division=0: no positive prediction gives precision 0; no positive row leaves recall undefined.
        double precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        double recall = tp + fn == 0 ? double.NaN : (double)tp / (tp + fn);
        double f1 = (2 * tp) + fp + fn == 0 ? double.NaN : 2.0 * tp / ((2 * tp) + fp + fn);
        (List<RocPoint> roc, double auc, double averagePrecision) = Curves(labels, probabilities);
        var metrics = new Dictionary<string, double>
        {
            [Metric.Accuracy] = n == 0 ? double.NaN : (double)(tp + tn) / n,
            [Metric.Precision] = precision,
            [Metric.Recall] = recall,
            [Metric.F1] = f1,
            [Metric.Auc] = auc,
            [Metric.PrAuc] = averagePrecision,
            [Metric.LogLoss] = n == 0 ? double.NaN : logLoss / n,
        };
        string negative = context.ClassNames.Count == 2 ? context.ClassNames[0] : "false";
        string positive = context.ClassNames.Count == 2 ? context.ClassNames[1] : "true";
        return new EvaluationResult(MlTask.BinaryClassification, n, metrics)
        {
            Binary = new BinaryClassificationReport(negative, positive, tp, fp, tn, fn, roc),
        };
    }

    /// <summary>ROC points, ROC-AUC (trapezoids over distinct thresholds, so ties count half) and average precision.</summary>
    private static (List<RocPoint> Roc, double Auc, double AveragePrecision) Curves(List<bool> labels, List<float> scores)
    {
        long positives = labels.Count(l => l);
        long negatives = labels.Count - positives;
        var roc = new List<RocPoint> { new(0, 0, double.PositiveInfinity) };
        if (positives == 0 || negatives == 0)
        {
            return (roc, double.NaN, positives == 0 ? double.NaN : 1);
        }

        int[] order = Enumerable.Range(0, labels.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        long tp = 0, fp = 0;
        double auc = 0, ap = 0, previousRecall = 0;
        for (int k = 0; k < order.Length;)
        {
            float threshold = scores[order[k]];
            long prevTp = tp, prevFp = fp;
            while (k < order.Length && scores[order[k]] == threshold)
            {
                if (labels[order[k]])
                {
                    tp++;
                }
                else
                {
                    fp++;
                }

                k++;
            }

            auc += (double)(fp - prevFp) / negatives * ((double)(tp + prevTp) / 2 / positives);
            double recall = (double)tp / positives;
            ap += (recall - previousRecall) * ((double)tp / (tp + fp));
            previousRecall = recall;
            roc.Add(new RocPoint((double)fp / negatives, recall, threshold));
        }

        return (Thin(roc, 200), auc, ap);
    }

    private static List<RocPoint> Thin(List<RocPoint> points, int max)
    {
        if (points.Count <= max)
        {
            return points;
        }

        double step = (points.Count - 1) / (double)(max - 1);
        return Enumerable.Range(0, max).Select(i => points[(int)Math.Round(i * step)]).ToList();
    }

    private static EvaluationResult EvaluateMulticlass(EvaluationContext context)
    {
        IDataView data = context.Scored;
        DataViewSchema.Column labelCol = data.Schema[context.LabelColumn];
        DataViewSchema.Column scoreCol = data.Schema["Score"];
        int classes = context.ClassNames.Count;
        var matrix = new long[classes][];
        for (int i = 0; i < classes; i++)
        {
            matrix[i] = new long[classes];
        }

        long n = 0, unknown = 0;
        double logLoss = 0;
        using (DataViewRowCursor cursor = data.GetRowCursor([labelCol, scoreCol]))
        {
            ValueGetter<uint> label = cursor.GetGetter<uint>(labelCol);
            ValueGetter<VBuffer<float>> score = cursor.GetGetter<VBuffer<float>>(scoreCol);
            uint key = 0;
            VBuffer<float> scores = default;
            while (cursor.MoveNext())
            {
                label(ref key);
                if (key == 0 || key > classes)
                {
                    unknown++;
                    continue;
                }

                score(ref scores);
                int best = 0;
                var dense = scores.DenseValues().ToArray();
                for (int c = 1; c < dense.Length; c++)
                {
                    if (dense[c] > dense[best])
                    {
                        best = c;
                    }
                }

                int truth = (int)key - 1;
                matrix[truth][best]++;
                logLoss -= Math.Log(Math.Clamp(dense[truth], Epsilon, 1 - Epsilon));
                n++;
            }
        }

        var perClass = new List<ClassMetrics>();
        long correct = 0;
        for (int c = 0; c < classes; c++)
        {
            long tp = matrix[c][c];
            correct += tp;
            long support = matrix[c].Sum();
            long predictedCount = matrix.Sum(row => row[c]);
            double precision = predictedCount == 0 ? double.NaN : (double)tp / predictedCount;
            double recall = support == 0 ? double.NaN : (double)tp / support;
            double f1 = double.IsNaN(precision) || double.IsNaN(recall) ? 0 : precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.Add(new ClassMetrics(context.ClassNames[c], precision, recall, f1, support));
        }

        // Macro averages over the classes present in the evaluated data, as scikit-learn does with labels=present.
        var present = perClass.Where(p => p.Support > 0).ToList();
        var metrics = new Dictionary<string, double>
        {
            [Metric.Accuracy] = n == 0 ? double.NaN : (double)correct / n,
            [Metric.MicroAccuracy] = n == 0 ? double.NaN : (double)correct / n,
            [Metric.MacroAccuracy] = present.Count == 0 ? double.NaN : present.Average(p => p.Recall),
            [Metric.MacroF1] = present.Count == 0 ? double.NaN : present.Average(p => p.F1),
            [Metric.LogLoss] = n == 0 ? double.NaN : logLoss / n,
        };
        return new EvaluationResult(MlTask.MulticlassClassification, n, metrics)
        {
            Multiclass = new MulticlassClassificationReport(context.ClassNames, matrix, perClass, unknown),
        };
    }

    private static EvaluationResult EvaluateRegression(EvaluationContext context)
    {
        IDataView data = context.Scored;
        DataViewSchema.Column labelCol = data.Schema[context.LabelColumn];
        DataViewSchema.Column scoreCol = data.Schema["Score"];
        var labels = new List<double>();
        var scores = new List<double>();
        using (DataViewRowCursor cursor = data.GetRowCursor([labelCol, scoreCol]))
        {
            ValueGetter<float> label = cursor.GetGetter<float>(labelCol);
            ValueGetter<float> score = cursor.GetGetter<float>(scoreCol);
            float l = 0, s = 0;
            while (cursor.MoveNext())
            {
                label(ref l);
                score(ref s);
                labels.Add(l);
                scores.Add(s);
            }
        }

        int n = labels.Count;
        double mean = n == 0 ? double.NaN : labels.Average();
        double sse = 0, sae = 0, sst = 0;
        for (int i = 0; i < n; i++)
        {
            double e = labels[i] - scores[i];
            sse += e * e;
            sae += Math.Abs(e);
            sst += (labels[i] - mean) * (labels[i] - mean);
        }

        var metrics = new Dictionary<string, double>
        {
            [Metric.Rmse] = n == 0 ? double.NaN : Math.Sqrt(sse / n),
            [Metric.Mae] = n == 0 ? double.NaN : sae / n,
            [Metric.R2] = n == 0 || sst == 0 ? double.NaN : 1 - (sse / sst),
        };
        int[] sample = n <= 2000 ? [.. Enumerable.Range(0, n)] : [.. Enumerable.Range(0, 2000).Select(i => (int)((long)i * n / 2000))];
        return new EvaluationResult(MlTask.Regression, n, metrics)
        {
            Regression = new RegressionReport([.. sample.Select(i => (float)labels[i])], [.. sample.Select(i => (float)scores[i])]),
        };
    }
}
