using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MlToolkit.Data;

/// <summary>
/// A SHA-256 over a table's column names, kinds and values in row order: the same data gives the same fingerprint,
/// any changed value, row or column gives another. Recorded in model manifests so a run can be tied to its data.
/// </summary>
public static class DataFingerprint
{
    /// <summary>Computes the fingerprint of <paramref name="table"/>.</summary>
    /// <param name="table">The data.</param>
    /// <returns>The fingerprint, lowercase hex.</returns>
    public static string Compute(DataTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(number, table.RowCount);
        hash.AppendData(number);
        foreach (DataTableColumn column in table.Columns)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{column.Name}\u0000{column.Kind}\u0000"));
            for (int row = 0; row < table.RowCount; row++)
            {
                int index = table.SourceRow(row);
                switch (column)
                {
                    case NumberColumn n:
                        BinaryPrimitives.WriteSingleLittleEndian(number, n.Values[index]);
                        hash.AppendData(number[..4]);
                        break;
                    case BooleanColumn b:
                        hash.AppendData(b.Values[index] ? [1] : [0]);
                        break;
                    default:
                        string? value = column.FormatValue(index);
                        BinaryPrimitives.WriteInt32LittleEndian(number, value?.Length ?? -1);
                        hash.AppendData(number[..4]);
                        if (value is not null)
                        {
                            hash.AppendData(Encoding.UTF8.GetBytes(value));
                        }

                        break;
                }
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
