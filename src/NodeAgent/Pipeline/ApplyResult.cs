using NodeAgent.Containers;
using NodeAgent.FileSystem;
using NodeAgent.Planning;

namespace NodeAgent.Pipeline;

/// <param name="Containers">What was done to each consumer; null when the step did not run.</param>
/// <param name="ContainersSkipped">Why the container step did not run (dry run, --no-restart).</param>
public sealed record ApplyResult(
    Plan Plan,
    IReadOnlyList<string> WrittenPaths,
    bool DryRun,
    IReadOnlyList<ContainerOutcome>? Containers,
    string? ContainersSkipped)
{
    public bool ContainersFailed => Containers?.Any(c => c.Action == ContainerAction.Failed) == true;

    /// <summary>Per failure domain: rotated, unchanged, refused (unsafe path) or failed. A dry run lists only the refused.</summary>
    public IReadOnlyList<DomainResult> Domains { get; init; } = [];

    public bool SomeDomainsNotRotated => Domains.Any(d => d.NotRotated);
}
