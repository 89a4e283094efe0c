namespace MlToolkit.Internal;

internal static class Guard
{
    public static string NotNullOrWhiteSpace(string? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        ArgumentException.ThrowIfNullOrWhiteSpace(value, paramName);
        return value;
    }

    public static double Fraction(double value, string paramName, bool allowZero = true)
    {
        if (double.IsNaN(value) || value < 0 || value >= 1 || (!allowZero && value == 0))
        {
            throw new ArgumentOutOfRangeException(paramName, value,
                $"'{paramName}' must be a fraction in {(allowZero ? "[0, 1)" : "(0, 1)")}, for example 0.2.");
        }

        return value;
    }
}
