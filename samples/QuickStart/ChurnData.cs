using System.Globalization;
using System.Text;

namespace QuickStart;

/// <summary>Generates a realistic, seeded customer-churn data set: numbers, categories, booleans and missing values.</summary>
public static class ChurnData
{
    /// <summary>Writes <paramref name="rows"/> customers to <paramref name="path"/> as CSV.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="rows">How many rows.</param>
    /// <param name="seed">The seed.</param>
    public static void Write(string path, int rows = 4000, int seed = 42)
    {
        var random = new Random(seed);
        string[] plans = ["Basic", "Standard", "Premium"];
        string[] regions = ["North", "South", "East", "West"];
        var csv = new StringBuilder("CustomerId,Tenure,MonthlyCharges,Plan,Region,SupportCalls,HasPartner,Churned\n");
        for (int i = 0; i < rows; i++)
        {
            int tenure = random.Next(1, 73);
            int plan = random.Next(plans.Length);
            string region = regions[random.Next(regions.Length)];
            double charges = 20 + (plan * 30) + (random.NextDouble() * 25);
            int calls = Poisson(random, 1.5 + (plan == 0 ? 1 : 0));
            bool partner = random.NextDouble() < 0.45;
            double logit = -0.6 - (0.07 * tenure) + (0.04 * (charges - 50)) + (0.6 * calls) - (partner ? 0.8 : 0) + (region == "South" ? 0.7 : 0) + (plan == 2 ? -0.6 : 0);
            bool churned = random.NextDouble() < 1 / (1 + Math.Exp(-logit));
            string chargesText = random.NextDouble() < 0.05 ? string.Empty : charges.ToString("F2", CultureInfo.InvariantCulture);
            string regionText = random.NextDouble() < 0.03 ? "?" : region;
            csv.Append(CultureInfo.InvariantCulture, $"C{i:D5},{tenure},{chargesText},{plans[plan]},{regionText},{calls},{(partner ? "true" : "false")},{(churned ? "yes" : "no")}\n");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, csv.ToString());
    }

    private static int Poisson(Random random, double lambda)
    {
        double l = Math.Exp(-lambda), p = 1;
        int k = 0;
        do
        {
            k++;
            p *= random.NextDouble();
        }
        while (p > l);
        return k - 1;
    }
}
