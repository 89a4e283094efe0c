namespace MlToolkit.Deployment.Registry;

/// <summary>
/// Publishes the pipeline's model as the next version of a <see cref="ModelRegistry"/> and, when its validation
/// passed, promotes it to an alias (such as <c>production</c>).
/// </summary>
public sealed class RegistryDeployer : IDeployer
{
    /// <summary>Creates the deployer.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="promoteTo">The alias to promote a validated version to, or <see langword="null"/> to only publish.</param>
    /// <param name="forcePromotion">Whether to promote even when validation failed or did not run.</param>
    public RegistryDeployer(ModelRegistry registry, string? promoteTo = "production", bool forcePromotion = false)
    {
        Registry = registry ?? throw new ArgumentNullException(nameof(registry));
        if (promoteTo is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(promoteTo);
        }

        PromoteTo = promoteTo;
        ForcePromotion = forcePromotion;
    }

    /// <summary>The registry.</summary>
    public ModelRegistry Registry { get; }

    /// <summary>The alias a validated version is promoted to, if any.</summary>
    public string? PromoteTo { get; }

    /// <summary>Whether promotion is forced.</summary>
    public bool ForcePromotion { get; }

    /// <inheritdoc />
    public async Task<DeploymentResult> DeployAsync(DeploymentContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ModelManifest manifest = await Registry.PublishAsync(context, cancellationToken).ConfigureAwait(false);
        string? promoted = null;
        string? skipped = null;
        if (PromoteTo is not null)
        {
            if (context.Validation is { Passed: true } || ForcePromotion)
            {
                await Registry.SetAliasAsync(PromoteTo, manifest.Version, ForcePromotion, cancellationToken).ConfigureAwait(false);
                promoted = PromoteTo;
            }
            else
            {
                skipped = context.Validation is null
                    ? $"not promoted to '{PromoteTo}': no validation ran (add gates, or force promotion)"
                    : $"not promoted to '{PromoteTo}': validation failed";
            }
        }

        return new DeploymentResult(manifest.ModelKey, Registry.Store.GetLocation(manifest.ModelKey), manifest.Sha256, manifest.Bytes)
        {
            Version = manifest.Version,
            PromotedTo = promoted,
            PromotionSkippedReason = skipped,
        };
    }

    /// <inheritdoc />
    public override string ToString() => $"Registry({Registry.Name}{(PromoteTo is null ? string.Empty : $" → {PromoteTo}")})";
}
