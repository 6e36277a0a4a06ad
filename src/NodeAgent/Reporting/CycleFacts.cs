using NodeAgent.Probes;

namespace NodeAgent.Reporting;

/// <summary>
/// What a sink may want beyond the stored report (which has no numbers but counts and durations): the metrics'
/// credentials info and key age, and the daemon's counters. Holds no secret: the key only masked.
/// </summary>
public sealed record CycleFacts
{
    public static readonly CycleFacts None = new();

    /// <summary>"static" or "instance-profile"; null when the run stopped before the sources were read.</summary>
    public string? CredentialsSource { get; init; }

    /// <summary>The key in use and its age on this host; null in instance-profile mode or before the keys were known.</summary>
    public KeyAge? KeyAge { get; init; }

    /// <summary>The daemon's counters; null for a one-shot apply or verify, whose process has counted nothing worth keeping.</summary>
    public CycleCounters? Counters { get; init; }
}
