using System.Globalization;
using System.Text;

namespace MlToolkit.Tests;

/// <summary>Seeded synthetic data sets and temporary folders shared by the tests.</summary>
internal static class TestData
{
    /// <summary>A fresh temporary folder, deleted by the returned handle.</summary>
    public static TempFolder TempFolder() => new();

    /// <summary>
    /// A binary data set with a learnable signal: x1, x2 numbers (some x2 missing), color category, flag boolean,
    /// label "yes"/"no".
    /// </summary>
    public static string BinaryCsv(int rows = 600, int seed = 1)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("x1,x2,color,flag,label\n");
        string[] colors = ["red", "green", "blue"];
        for (int i = 0; i < rows; i++)
        {
            double x1 = random.NextDouble() * 10;
            double x2 = random.NextDouble() * 5;
            int color = random.Next(3);
            bool flag = random.NextDouble() < 0.5;
            double logit = (x1 - 5) * 0.9 + (color == 2 ? 1.5 : 0) - (flag ? 0.8 : 0) + (x2 - 2.5) * 0.3;
            bool label = random.NextDouble() < 1 / (1 + Math.Exp(-logit));
            string x2Text = random.NextDouble() < 0.1 ? string.Empty : x2.ToString("F3", CultureInfo.InvariantCulture);
            csv.Append(CultureInfo.InvariantCulture, $"{x1:F3},{x2Text},{colors[color]},{(flag ? "true" : "false")},{(label ? "yes" : "no")}\n");
        }

        return csv.ToString();
    }

    /// <summary>A three-class data set: class decided by which of a, b, c is largest, plus noise; label text.</summary>
    public static string MulticlassCsv(int rows = 900, int seed = 2)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("a,b,c,shape,species\n");
        string[] names = ["setosa", "versicolor", "virginica"];
        string[] shapes = ["round", "long", "flat"];
        for (int i = 0; i < rows; i++)
        {
            int k = random.Next(3);
            double[] v = [random.NextDouble(), random.NextDouble(), random.NextDouble()];
            v[k] += 0.8;
            string shape = random.NextDouble() < 0.8 ? shapes[k] : shapes[random.Next(3)];
            csv.Append(CultureInfo.InvariantCulture, $"{v[0]:F4},{v[1]:F4},{v[2]:F4},{shape},{names[k]}\n");
        }

        return csv.ToString();
    }

    /// <summary>A regression data set: y = 3*x1 - 2*x2 + 5*(cat=="b") + noise, some x1 missing.</summary>
    public static string RegressionCsv(int rows = 800, int seed = 3)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("x1,x2,cat,y\n");
        for (int i = 0; i < rows; i++)
        {
            double x1 = random.NextDouble() * 10;
            double x2 = random.NextDouble() * 10;
            string cat = random.NextDouble() < 0.5 ? "a" : "b";
            double y = (3 * x1) - (2 * x2) + (cat == "b" ? 5 : 0) + ((random.NextDouble() - 0.5) * 2);
            string x1Text = random.NextDouble() < 0.05 ? "NA" : x1.ToString("F3", CultureInfo.InvariantCulture);
            csv.Append(CultureInfo.InvariantCulture, $"{x1Text},{x2:F3},{cat},{y:F3}\n");
        }

        return csv.ToString();
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mltk-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="content"/> to a file in the folder and returns its path.</summary>
    public string Write(string name, string content)
    {
        string path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Writes raw bytes to a file in the folder and returns its path.</summary>
    public string WriteBytes(string name, byte[] content)
    {
        string path = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine; the OS cleans the temp folder.
        }
    }
}
