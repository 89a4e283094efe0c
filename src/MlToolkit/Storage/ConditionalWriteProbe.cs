using System.Runtime.CompilerServices;

namespace MlToolkit.Storage;

/// <summary>
/// What a probe of a store's conditional writes saw: whether a create-only write over an existing key was refused, and
/// whether a compare-and-swap with a stale tag was refused. A store whose service ignores the conditions (the s3rver
/// emulator ignores <c>If-None-Match</c> and <c>If-Match</c>) accepts both, and the last writer wins.
/// </summary>
public sealed class ConditionalWriteProbeResult
{
    internal ConditionalWriteProbeResult(string location, bool createOnlyHonoured, bool? compareAndSwapHonoured, IReadOnlyList<string> observations)
    {
        Location = location;
        CreateOnlyHonoured = createOnlyHonoured;
        CompareAndSwapHonoured = compareAndSwapHonoured;
        Observations = observations;
    }

    /// <summary>Where the probe wrote (a folder of the store, as <see cref="IArtifactStore.GetLocation"/> gives it).</summary>
    public string Location { get; }

    /// <summary>Whether a second create-only write (<see cref="ArtifactWriteMode.CreateNew"/>) of one key was refused.</summary>
    public bool CreateOnlyHonoured { get; }

    /// <summary>
    /// Whether conditional writes (<see cref="IConditionalArtifactStore.WriteIfUnchangedAsync"/>) refused both a create over an
    /// existing object and a write with a stale tag, or <see langword="null"/> when the store does not offer them (it does not
    /// implement <see cref="IConditionalArtifactStore"/>).
    /// </summary>
    public bool? CompareAndSwapHonoured { get; }

    /// <summary>What the probe saw that a store honouring the conditions would have refused, one sentence each; empty when none.</summary>
    public IReadOnlyList<string> Observations { get; }
}

/// <summary>
/// Probes a store once per instance: a create-only write of a fresh key, then a second one that must be refused (the key
/// is deleted after); and, on an <see cref="IConditionalArtifactStore"/>, a create through a conditional write over an
/// existing object and a write with a stale tag, both of which must be refused. The compare-and-swap key stays (one small
/// object, <c>{folder}/compare-and-swap.probe</c>) so that probes running at the same time, in other processes, never
/// delete what another one relies on. A probe that fails (a network error, cancellation) is not kept: the next call probes again.
/// </summary>
internal static class ConditionalWriteProbe
{
    /// <summary>The folder, under a registry's own, where the probe writes.</summary>
    internal const string FolderName = "probes";

    /// <summary>The key of the compare-and-swap probe, under the folder.</summary>
    internal const string CompareAndSwapKey = "compare-and-swap.probe";

    private const int Attempts = 5;

    private static readonly ConditionalWeakTable<IArtifactStore, Entry> Results = new();

    /// <summary>The store's probe result, probing it (under <paramref name="folder"/>) the first time it is asked for.</summary>
    internal static Task<ConditionalWriteProbeResult> GetAsync(IArtifactStore store, string folder, CancellationToken cancellationToken)
        => Results.GetValue(store, _ => new Entry()).GetAsync(store, folder, cancellationToken);

    /// <summary>Runs the probe under <paramref name="folder"/>, uncached.</summary>
    internal static async Task<ConditionalWriteProbeResult> RunAsync(IArtifactStore store, string folder, CancellationToken cancellationToken)
    {
        var observations = new List<string>();
        bool createOnly = await ProbeCreateOnlyAsync(store, folder, observations, cancellationToken).ConfigureAwait(false);
        bool? compareAndSwap = store is IConditionalArtifactStore conditional
            ? await ProbeCompareAndSwapAsync(conditional, $"{folder}/{CompareAndSwapKey}", observations, cancellationToken).ConfigureAwait(false)
            : null;
        return new ConditionalWriteProbeResult(store.GetLocation(folder), createOnly, compareAndSwap, observations);
    }

    private static async Task<bool> ProbeCreateOnlyAsync(IArtifactStore store, string folder, List<string> observations, CancellationToken cancellationToken)
    {
        string key = $"{folder}/create-only-{Guid.NewGuid():N}.probe";
        Exception? failure = null;
        try
        {
            await store.WriteAsync(key, Nonce(), ArtifactWriteMode.CreateNew, cancellationToken).ConfigureAwait(false);
            try
            {
                await store.WriteAsync(key, Nonce(), ArtifactWriteMode.CreateNew, cancellationToken).ConfigureAwait(false);
            }
            catch (ArtifactExistsException)
            {
                return true;
            }

            observations.Add($"a second create-only write of '{key}' succeeded instead of being refused (the service ignored If-None-Match: * or its equivalent), so two publishers could commit the same version number");
            return false;
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            try
            {
                await store.DeleteAsync(key, failure is null ? cancellationToken : CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception) when (failure is not null)
            {
                // The probe's own failure is what propagates; a probe key left behind holds nothing.
            }
        }
    }

    private static async Task<bool> ProbeCompareAndSwapAsync(IConditionalArtifactStore store, string key, List<string> observations, CancellationToken cancellationToken)
    {
        // The key is never deleted, so once it exists it stays: a create through a conditional write must then be refused,
        // whatever other probers do meanwhile.
        if (await store.ReadVersionedAsync(key, cancellationToken).ConfigureAwait(false) is null)
        {
            try
            {
                await store.WriteIfUnchangedAsync(key, Nonce(), expectedTag: null, cancellationToken).ConfigureAwait(false);
            }
            catch (ArtifactChangedException)
            {
                // Another prober created it first.
            }
        }

        bool honoured = true;
        try
        {
            await store.WriteIfUnchangedAsync(key, Nonce(), expectedTag: null, cancellationToken).ConfigureAwait(false);
            honoured = false;
            observations.Add($"a conditional create of '{key}', which already existed, succeeded instead of being refused (the service ignored If-None-Match: * or its equivalent), so two first promotions of an alias could lose one");
        }
        catch (ArtifactChangedException)
        {
            // Refused, as it must be.
        }

        for (int attempt = 1; attempt <= Attempts; attempt++)
        {
            VersionedArtifact? current = await store.ReadVersionedAsync(key, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                continue;
            }

            try
            {
                await store.WriteIfUnchangedAsync(key, Nonce(), current.Tag, cancellationToken).ConfigureAwait(false);
            }
            catch (ArtifactChangedException)
            {
                continue; // another prober wrote it between the read and the write
            }

            // The tag just used is now stale: every write since gave new content, and so a new tag.
            try
            {
                await store.WriteIfUnchangedAsync(key, Nonce(), current.Tag, cancellationToken).ConfigureAwait(false);
                observations.Add($"a compare-and-swap of '{key}' with a stale tag succeeded instead of being refused (the service ignored If-Match or its equivalent), so one of two concurrent alias moves could be lost");
                return false;
            }
            catch (ArtifactChangedException)
            {
                return honoured;
            }
        }

        observations.Add($"a compare-and-swap of '{key}' with the tag just read was refused {Attempts} times in a row, so alias moves could not complete");
        return false;
    }

    private static MemoryStream Nonce() => new(System.Text.Encoding.UTF8.GetBytes($"MlToolkit conditional-write probe {Guid.NewGuid():N}"), writable: false);

    /// <summary>One store's result, computed once by the first caller while the others wait.</summary>
    private sealed class Entry
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private ConditionalWriteProbeResult? _result;

        public async Task<ConditionalWriteProbeResult> GetAsync(IArtifactStore store, string folder, CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref _result) is { } known)
            {
                return known;
            }

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_result is null)
                {
                    Volatile.Write(ref _result, await RunAsync(store, folder, cancellationToken).ConfigureAwait(false));
                }

                return _result!;
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
