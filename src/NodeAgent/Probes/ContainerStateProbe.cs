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
        var rows = checks.Select(c => new ProbeResult(Kind, c.ContainerName ?? c.Consumer, StatusOf(c.Status), c.Detail, c.Fix, elapsed)).ToList();
        if (current.WithdrawnVariables.Count > 0)
        {
            rows.AddRange(checks.Where(c => c.NetworkMode is not null).Select(c => NetworkRow(c, elapsed)));
        }

        return rows;
    }

    /// <summary>
    /// On the instance profile a container needs IMDSv2 itself. From a bridge network the answer to the token PUT is
    /// one hop further than from the host, and the instance's default hop limit of 1 (many AMIs) drops it: the SDK
    /// in the container then finds no credentials. Host-network consumers (Bacalhau's compute) are fine.
    /// </summary>
    private static ProbeResult NetworkRow(ContainerCredentialCheck c, TimeSpan elapsed)
    {
        var target = $"{c.ContainerName ?? c.Consumer} network";
        var mode = c.NetworkMode!;
        if (mode == "none")
        {
            return new ProbeResult(Kind, target, ProbeStatus.Ok, "network mode none: no network, so no AWS call either way", null, elapsed);
        }

        return mode == "host" || mode.StartsWith("container:", StringComparison.Ordinal)
            ? new ProbeResult(Kind, target, ProbeStatus.Ok, $"network mode {mode}: reaches IMDSv2 as the host does{(mode == "host" ? "" : " (shares another container's network; that one's mode decides)")}", null, elapsed)
            : new ProbeResult(Kind, target, ProbeStatus.Warning,
                $"network mode {mode}: IMDSv2 answers a container on a bridge network only when the instance's metadata hop limit is 2 or more (many AMIs default to 1), otherwise its SDK finds no credentials",
                "aws ec2 modify-instance-metadata-options --instance-id <this instance> --http-put-response-hop-limit 2 --http-tokens required (or run the service with network_mode: host)",
                elapsed);
    }

    /// <summary>A consumer that should be there and is not is a failure: the host is not doing its job.</summary>
    private static ProbeStatus StatusOf(ContainerCredentialStatus status) =>
        status == ContainerCredentialStatus.Current ? ProbeStatus.Ok : ProbeStatus.Failed;
}
