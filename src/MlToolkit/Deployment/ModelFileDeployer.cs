using System.Security.Cryptography;
using MlToolkit.Storage;

namespace MlToolkit.Deployment;

/// <summary>
/// Writes the model (preparation and trainer in one ML.NET zip) under one key of an <see cref="IArtifactStore"/>.
/// The file is serialized in memory first and written atomically, so a failure never leaves a partial model.
/// </summary>
public sealed class ModelFileDeployer : IDeployer
{
    /// <summary>Creates the deployer.</summary>
    /// <param name="store">The store.</param>
    /// <param name="key">The key, such as <c>models/churn/model.zip</c>.</param>
    /// <exception cref="ArtifactKeyException">The key is malformed or would leave the store (a <c>..</c> segment, a rooted path).</exception>
    public ModelFileDeployer(IArtifactStore store, string key)
    {
        Store = store ?? throw new ArgumentNullException(nameof(store));
        Key = ArtifactStoreBase.NormalizeKey(key);
    }

    /// <summary>The store.</summary>
    public IArtifactStore Store { get; }

    /// <summary>The key.</summary>
    public string Key { get; }

    /// <inheritdoc />
    public async Task<DeploymentResult> DeployAsync(DeploymentContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var buffer = new MemoryStream();
        context.Model.Save(buffer);
        byte[] hash = SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        buffer.Position = 0;
        await Store.WriteAsync(Key, buffer, ArtifactWriteMode.Overwrite, cancellationToken).ConfigureAwait(false);
        return new DeploymentResult(Key, Store.GetLocation(Key), Convert.ToHexStringLower(hash), buffer.Length);
    }

    /// <inheritdoc />
    public override string ToString() => $"SaveModel({Store.GetLocation(Key)})";
}
