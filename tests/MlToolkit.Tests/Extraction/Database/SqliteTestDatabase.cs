using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MlToolkit.Tests.Extraction.Database;

/// <summary>A SQLite database file in a temporary folder, filled by SQL; deleted on dispose.</summary>
internal sealed class SqliteTestDatabase : IDisposable
{
    private readonly TempFolder _folder = TestData.TempFolder();

    public SqliteTestDatabase(string sql)
    {
        Path = System.IO.Path.Combine(_folder.Path, "data.db");
        Execute(sql);
    }

    public string Path { get; }

    public string ConnectionString => new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString();

    public void Execute(string sql)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public long Count(string table)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// A customers table with a learnable churn label: id, tenure (months), monthly charge, plan (text), autopay (0/1),
    /// churned ('yes'/'no'), some NULL charges.
    /// </summary>
    public static SqliteTestDatabase Churn(int rows, int seed = 5)
    {
        var random = new Random(seed);
        var sql = new System.Text.StringBuilder("CREATE TABLE customers(id INTEGER PRIMARY KEY, tenure INTEGER, charge REAL, plan TEXT, autopay BOOLEAN, churned TEXT);\nINSERT INTO customers VALUES ");
        string[] plans = ["basic", "plus", "pro"];
        for (int i = 0; i < rows; i++)
        {
            int tenure = random.Next(1, 72);
            double charge = 20 + (random.NextDouble() * 80);
            int plan = random.Next(3);
            bool autopay = random.NextDouble() < 0.5;
            double logit = 1.5 - (tenure * 0.06) + ((charge - 60) * 0.03) - (autopay ? 0.8 : 0) + (plan == 0 ? 0.5 : 0);
            bool churned = random.NextDouble() < 1 / (1 + Math.Exp(-logit));
            string chargeText = random.NextDouble() < 0.05 ? "NULL" : charge.ToString("F2", CultureInfo.InvariantCulture);
            sql.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? string.Empty : ",")}({i + 1},{tenure},{chargeText},'{plans[plan]}',{(autopay ? 1 : 0)},'{(churned ? "yes" : "no")}')");
        }

        return new SqliteTestDatabase(sql.Append(';').ToString());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
