using NodeAgent.Containers;

namespace NodeAgent.Probes;

/// <summary>Each consumer is running, not restarting in a loop, and sees the current credentials.</summary>
public sealed class ContainerStateProbe(ContainerCredentialInspector inspector, CurrentCredentials current) : IProbe
{
    public const string Kind = "container";

    public string Name => $"{Kind} consumers";

    public async Task<IReadOnlyList<ProbeResult>> RunAsync(CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var checks = await inspector.InspectAsync(current, ct).ConfigureAwait(false);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        return checks.Select(c => new ProbeResult(Kind, c.ContainerName ?? c.Consumer, StatusOf(c.Status), c.Detail, c.Fix, elapsed)).ToList();
    }

    /// <summary>A consumer that should be there and is not is a failure: the host is not doing its job.</summary>
    private static ProbeStatus StatusOf(ContainerCredentialStatus status) =>
        status == ContainerCredentialStatus.Current ? ProbeStatus.Ok : ProbeStatus.Failed;
}
