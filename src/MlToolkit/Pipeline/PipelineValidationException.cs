namespace MlToolkit.Pipeline;

/// <summary>
/// Thrown by <see cref="PipelineBuilder.Build"/> (or at the start of a run, once the data's schema is known)
/// when the pipeline cannot work: it lists every problem found, not only the first.
/// </summary>
public sealed class PipelineValidationException : MlToolkitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problems">Every problem found.</param>
    /// <param name="source">The data source the schema came from, if known.</param>
    public PipelineValidationException(IReadOnlyList<string> problems, string? source = null)
        : base(PipelineStage.Build, source, Format(problems, source))
    {
        Problems = problems;
    }

    /// <summary>Every problem found, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Format(IReadOnlyList<string> problems, string? source)
    {
        string header = problems.Count == 1
            ? "The pipeline is not valid"
            : $"The pipeline is not valid ({problems.Count} problems)";
        if (source is not null)
        {
            header += $" for data from {source}";
        }

        return header + ":" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p));
    }
}
