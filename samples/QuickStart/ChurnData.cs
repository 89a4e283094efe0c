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
        var csv = new StringBuilder("CustomerId,Tenure,MonthlyCharges,Plan,Region,SupportCalls,HasPartner,Churned\n");
        foreach (Customer c in Generate(rows, seed))
        {
            string chargesText = c.MonthlyCharges is { } charges ? charges.ToString("F2", CultureInfo.InvariantCulture) : string.Empty;
            csv.Append(CultureInfo.InvariantCulture, $"{c.CustomerId},{c.Tenure},{chargesText},{c.Plan},{c.Region ?? "?"},{c.SupportCalls},{(c.HasPartner ? "true" : "false")},{(c.Churned ? "yes" : "no")}\n");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, csv.ToString());
    }

    /// <summary>Generates <paramref name="rows"/> customers; about 5% have no monthly charges and 3% no region.</summary>
    /// <param name="rows">How many rows.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The customers, in order.</returns>
    public static IEnumerable<Customer> Generate(int rows = 4000, int seed = 42)
    {
        var random = new Random(seed);
        string[] plans = ["Basic", "Standard", "Premium"];
        string[] regions = ["North", "South", "East", "West"];
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
            double? missingCharges = random.NextDouble() < 0.05 ? null : charges;
            string? missingRegion = random.NextDouble() < 0.03 ? null : region;
            yield return new Customer(string.Create(CultureInfo.InvariantCulture, $"C{i:D5}"), tenure, missingCharges, plans[plan], missingRegion, calls, partner, churned);
        }
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

/// <summary>One generated customer.</summary>
/// <param name="CustomerId">The identifier, such as <c>C00042</c>.</param>
/// <param name="Tenure">Months as a customer.</param>
/// <param name="MonthlyCharges">The monthly charges, or <see langword="null"/> when unknown.</param>
/// <param name="Plan">Basic, Standard or Premium.</param>
/// <param name="Region">North, South, East or West, or <see langword="null"/> when unknown.</param>
/// <param name="SupportCalls">Calls to support.</param>
/// <param name="HasPartner">Whether the customer has a partner.</param>
/// <param name="Churned">Whether the customer left.</param>
public sealed record Customer(string CustomerId, int Tenure, double? MonthlyCharges, string Plan, string? Region, int SupportCalls, bool HasPartner, bool Churned);
