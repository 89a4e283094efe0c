using System.Globalization;
using System.Text;

namespace MlToolkitApp;

/// <summary>Writes sample customers so that the project runs at once; replace data/customers.csv with real data.</summary>
public static class SampleData
{
    /// <summary>Writes <paramref name="rows"/> customers to <paramref name="path"/>.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="rows">How many.</param>
    /// <param name="seed">The seed.</param>
    public static void Write(string path, int rows, int seed)
    {
        var random = new Random(seed);
        string[] plans = ["Basic", "Standard", "Premium"];
        var csv = new StringBuilder("CustomerId,Tenure,MonthlyCharges,Plan,SupportCalls,Churned\n");
        for (int i = 0; i < rows; i++)
        {
            int tenure = random.Next(1, 73);
            int plan = random.Next(plans.Length);
            double charges = 20 + (plan * 30) + (random.NextDouble() * 25);
            int calls = random.Next(0, 6);
            double logit = -0.5 - (0.06 * tenure) + (0.04 * (charges - 50)) + (0.5 * calls);
            bool churned = random.NextDouble() < 1 / (1 + Math.Exp(-logit));
            string chargesText = random.NextDouble() < 0.05 ? string.Empty : charges.ToString("F2", CultureInfo.InvariantCulture);
            csv.Append(CultureInfo.InvariantCulture, $"C{i:D5},{tenure},{chargesText},{plans[plan]},{calls},{(churned ? "yes" : "no")}\n");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, csv.ToString());
    }
}

/// <summary>Where the project's folders are, from wherever it runs.</summary>
public static class ProjectPaths
{
    /// <summary>The project folder: the nearest folder above the current one (or it) that has a <c>data</c> folder and a project file.</summary>
    /// <returns>The folder.</returns>
    public static string Root()
    {
        for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "data")) && dir.EnumerateFiles("*.csproj").Any())
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
