using MlToolkit.Extraction.Snapshots;
using MlToolkit.Pipeline;
using MlToolkit.Storage;

namespace MlToolkit;

/// <summary>Builder verbs for data snapshots (see <see cref="DataSnapshot"/>).</summary>
public static class SnapshotBuilderExtensions
{
    /// <summary>
    /// Keeps a content-addressed snapshot of what each source gives in <paramref name="store"/>, under
    /// <paramref name="prefix"/>; the result's <see cref="PipelineResult.Snapshots"/> and the published model's manifest name
    /// them, so that the run can be repeated on exactly the same data with <see cref="FromSnapshot"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="store">The store, such as the registry's.</param>
    /// <param name="prefix">The key prefix.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder SnapshotTo(this PipelineBuilder builder, IArtifactStore store, string prefix = "snapshots")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        builder.SetSnapshots(new SnapshotTarget(store, ArtifactStoreBase.NormalizeKey(prefix.TrimEnd('/'))));
        return builder;
    }

    /// <summary>Reads the data of a snapshot that an earlier run kept (its key is in that run's result and model manifest).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="store">The store holding it.</param>
    /// <param name="key">The snapshot's key.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder FromSnapshot(this PipelineBuilder builder, IArtifactStore store, string key)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.From(new SnapshotDataSource(store, key));
    }
}
