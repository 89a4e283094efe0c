using ScottPlot;

namespace MlToolkit.Reporting;

/// <summary>The report's plots, drawn with ScottPlot into SVG markup (no raster, no external resource).</summary>
internal static class ReportPlots
{
    private const int Width = 560;
    private const int Height = 380;

    public static string Curve(string title, string xLabel, string yLabel, IReadOnlyList<(string Name, double[] X, double[] Y)> series, bool unitSquare, bool diagonal)
    {
        var plot = new Plot();
        foreach ((string name, double[] x, double[] y) in series)
        {
            var line = plot.Add.Scatter(x, y);
            line.LegendText = name;
            line.LineWidth = 2;
            line.MarkerSize = x.Length <= 12 ? 6 : 0;
        }

        if (diagonal)
        {
            var chance = plot.Add.Line(0, 0, 1, 1);
            chance.Color = Colors.Gray.WithAlpha(0.6);
            chance.LegendText = "chance";
        }

        if (unitSquare)
        {
            plot.Axes.SetLimits(0, 1, 0, 1.02);
        }

        if (series.Count > 1 || diagonal)
        {
            plot.ShowLegend(Alignment.LowerRight);
        }

        return Render(plot, title, xLabel, yLabel);
    }

    public static string Points(string title, string xLabel, string yLabel, double[] x, double[] y, double? horizontalLine)
    {
        var plot = new Plot();
        var points = plot.Add.ScatterPoints(x, y);
        points.MarkerSize = 4;
        points.Color = Colors.SteelBlue.WithAlpha(0.6);
        if (horizontalLine is { } h)
        {
            var line = plot.Add.HorizontalLine(h);
            line.Color = Colors.Gray;
        }

        return Render(plot, title, xLabel, yLabel);
    }

    public static string HorizontalBars(string title, string xLabel, IReadOnlyList<string> names, double[] values, double[] errors)
    {
        var plot = new Plot();
        int n = names.Count;
        // The largest at the top: bars from the bottom up in reverse order.
        double[] positions = [.. Enumerable.Range(0, n)];
        double[] reversed = [.. values.Reverse()];
        var bars = plot.Add.Bars(reversed);
        bars.Horizontal = true;
        var error = plot.Add.ErrorBar(reversed.Select(v => double.IsFinite(v) ? v : 0).ToArray(), positions, [.. errors.Reverse().Select(e => double.IsFinite(e) ? e : 0)]);
        error.Color = Colors.Black;
        plot.Axes.Left.SetTicks(positions, [.. names.Reverse()]);
        return Render(plot, title, xLabel, string.Empty, height: Math.Max(Height, 60 + (n * 26)));
    }

    public static string Spread(string title, string yLabel, IReadOnlyList<(string Name, double[] Values, double Mean, double Lower, double Upper)> metrics)
    {
        var plot = new Plot();
        double[] positions = [.. Enumerable.Range(0, metrics.Count)];
        for (int i = 0; i < metrics.Count; i++)
        {
            (_, double[] values, double mean, double lower, double upper) = metrics[i];
            var folds = plot.Add.ScatterPoints(values.Select(_ => (double)i).ToArray(), values);
            folds.MarkerSize = 7;
            folds.Color = Colors.SteelBlue.WithAlpha(0.7);
            if (double.IsFinite(mean))
            {
                var interval = plot.Add.ErrorBar([i + 0.2], [mean], [double.IsFinite(upper) ? (upper - lower) / 2 : 0]);
                interval.Color = Colors.DarkRed;
                var centre = plot.Add.ScatterPoints(new[] { i + 0.2 }, new[] { mean });
                centre.Color = Colors.DarkRed;
                centre.MarkerSize = 8;
            }
        }

        plot.Axes.Bottom.SetTicks(positions, [.. metrics.Select(m => m.Name)]);
        plot.Axes.SetLimitsX(-0.6, metrics.Count - 0.4);
        return Render(plot, title, string.Empty, yLabel);
    }

    public static string Trials(string title, string yLabel, IReadOnlyList<(string Trainer, double[] Number, double[] Score)> groups, (double Number, double Score)? best)
    {
        var plot = new Plot();
        foreach ((string trainer, double[] number, double[] score) in groups)
        {
            var points = plot.Add.ScatterPoints(number, score);
            points.LegendText = trainer;
            points.MarkerSize = 7;
        }

        if (best is { } b)
        {
            var star = plot.Add.ScatterPoints(new[] { b.Number }, new[] { b.Score });
            star.LegendText = "best";
            star.MarkerSize = 14;
            star.MarkerShape = MarkerShape.OpenCircle;
            star.Color = Colors.Black;
        }

        plot.ShowLegend(Alignment.LowerRight);
        return Render(plot, title, "trial", yLabel);
    }

    private static string Render(Plot plot, string title, string xLabel, string yLabel, int width = Width, int height = Height)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        string svg = plot.GetSvgXml(width, height);
        int start = svg.IndexOf("<svg", StringComparison.Ordinal);
        return start > 0 ? svg[start..] : svg; // inline: without the XML declaration
    }
}
