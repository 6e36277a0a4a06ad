using NodeAgent.Failures;
using NodeAgent.Probes;
using NodeAgent.Reporting;
using NodeAgent.Sources;

namespace NodeAgent.Pipeline;

/// <summary>What one reconcile is asked to do. <see cref="Mode"/> decides the phases; the rest tunes them.</summary>
public sealed record ReconcileRequest(ReportMode Mode)
{
    /// <summary>Restart or recreate the consumers after the files (apply --no-restart sets it false).</summary>
    public bool Restart { get; init; } = true;

    /// <summary>Probes after the files (apply, run) or instead of writing (verify).</summary>
    public ProbeScope Probes { get; init; } = ProbeScope.None;

    /// <summary>The daemon: when the keys were just rotated, prove every action, writes included, whatever <see cref="Probes"/> says.</summary>
    public bool FullProbesAfterRotation { get; init; }

    /// <summary>How long to wait for another apply on this host (see <see cref="ApplyLock"/>).</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Told once when the wait for the lock begins, so an operator knows why nothing happens.</summary>
    public Action<string>? Waiting { get; init; }

    /// <summary>Per probe (verify --timeout); null means probes.timeout_seconds.</summary>
    public TimeSpan? ProbeTimeout { get; init; }

    /// <summary>apply --diff --json: the report's file steps carry their masked diffs.</summary>
    public bool WithDiff { get; init; }

    /// <summary>Rows the caller already knows belong in this run's report (the daemon: a configuration reload that failed).</summary>
    public IReadOnlyList<ProbeResult> CarriedRows { get; init; } = [];

    /// <summary>The daemon's counters, for the metrics sink; null for a one-shot apply or verify.</summary>
    public CycleCounters? Counters { get; init; }

    /// <summary>Called with the finished result before the report goes to the sinks (the daemon counts drift here, so the metrics include it).</summary>
    public Action<ReconcileResult>? BeforePublish { get; init; }
}

/// <summary>
/// What one reconcile did and found. <see cref="Failure"/> is the expected failure that stopped it (its problems are
/// already rows of <see cref="Report"/>); everything before the failure is kept, so an operator sees how far it got.
/// </summary>
/// <param name="Apply">Plan, written paths and container outcomes; null for verify or when the run stopped before a plan.</param>
/// <param name="ReportProblems">Why the last-report file or the S3 reports could not take the report (the run itself still counts), one sentence each.</param>
public sealed record ReconcileResult(
    Report Report,
    AgentException? Failure,
    ApplyResult? Apply,
    SourceSnapshot? Sources,
    CredentialSet? Set,
    RotationCheck? Rotation,
    IReadOnlyList<string> ReportProblems)
{
    public int ExitCode => Failure?.ExitCode
        ?? (Report.Mode == ReportMode.Verify
            ? (Report.Status == ReportStatus.Ok ? Cli.ExitCodes.Ok : Cli.ExitCodes.ProbeFailed)
            : Apply?.ContainersFailed == true ? Cli.ExitCodes.ContainersFailed : Cli.ExitCodes.Ok);

    /// <summary>Every failed row, in report order: the daemon's STATUS names the first.</summary>
    public IEnumerable<ProbeEntry> FailedProbes => Report.Probes.Where(p => p.Status == ProbeStatus.Failed);

    /// <summary>
    /// Sinks other than the last-report file that could not take the report (the node_exporter textfile), each as
    /// "destination (problem)": `status` is unaffected, so they are not <see cref="ReportProblems"/>.
    /// </summary>
    public IReadOnlyList<string> OtherSinkProblems { get; init; } = [];
}
