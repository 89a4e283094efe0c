using MlToolkit.Pipeline;
using MlToolkit.Training.Search;

namespace MlToolkit;

/// <summary>Builder verbs that search hyperparameters (see <see cref="SearchOptions"/>).</summary>
public static class SearchBuilderExtensions
{
    /// <summary>
    /// Searches the configurations of <paramref name="spaces"/> (one space per trainer; several spaces try several trainers
    /// in one search), judges each on held-out rows, and trains the best one on the whole training part. The result's
    /// <see cref="PipelineResult.Tuning"/> lists every trial. No <c>Train(...)</c> is needed.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The strategy and budgets, such as <c>Search.Random(trials: 30)</c> or <c>Search.SuccessiveHalving()</c>.</param>
    /// <param name="spaces">The spaces, such as <c>SearchSpaces.Binary.LightGbm()</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The options are not valid (the message lists every problem), or no space is given.</exception>
    public static PipelineBuilder Tune(this PipelineBuilder builder, SearchOptions options, params ISearchSpace[] spaces)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(spaces);
        if (spaces.Length == 0 || spaces.Any(s => s is null))
        {
            throw new ArgumentException("Give at least one search space, such as SearchSpaces.Binary.LightGbm().", nameof(spaces));
        }

        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        builder.SetSearch(new SearchPlan([.. spaces], options));
        return builder;
    }

    /// <summary>A random search of <paramref name="trials"/> configurations of <paramref name="space"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="space">The space.</param>
    /// <param name="trials">How many configurations.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Tune(this PipelineBuilder builder, ISearchSpace space, int trials = 20)
        => builder.Tune(Search.Random(trials), space);
}
