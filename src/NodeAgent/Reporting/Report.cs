using NodeAgent.Probes;

namespace NodeAgent.Reporting;

public enum ReportMode
{
    Apply,

    /// <summary>apply --dry-run: the steps say what would be done; nothing was.</summary>
    DryRun,
    Verify,

    /// <summary>A cycle of `nodeagent run`, the daemon.</summary>
    Run,
}

/// <summary>ok when nothing failed; skipped rows do not fail a run (they are reported with their reason).</summary>
public enum ReportStatus
{
    Ok,
    Failed,
}

/// <summary>Outcome of one file or container step. Changed: the step did something (file written, container restarted).</summary>
public enum StepStatus
{
    Ok,
    Changed,
    Failed,
    Skipped,
}

/// <summary>One probe row: the <see cref="ProbeResult"/> as stored, duration in whole milliseconds.</summary>
public sealed record ProbeEntry(string Probe, string Target, ProbeStatus Status, string Detail, string? Fix, long DurationMs)
{
    public static ProbeEntry From(ProbeResult r) =>
        new(r.Probe, r.Target, r.Status, r.Detail, r.Fix, (long)Math.Round(r.Duration.TotalMilliseconds));
}

/// <summary>
/// One apply step on a file or container. <paramref name="Step"/> says what was done ("write", "restart", "find"),
/// <paramref name="Target"/> to what (a host path, a container name). Same shape as a probe row so one table shows all.
/// </summary>
/// <param name="Diff">apply --diff: the unified diff of a changed file, secrets masked; otherwise null.</param>
public sealed record StepEntry(string Step, string Target, StepStatus Status, string Detail, string? Fix, long DurationMs, string? Diff = null);

public sealed record ReportSummary(int Ok, int Changed, int Failed, int Skipped, long DurationMs)
{
    /// <summary>Rows that pass but need attention; optional in the schema (added in 0.3), so older readers still validate.</summary>
    public int Warnings { get; init; }
}

/// <summary>
/// What one apply or verify run found, as written to the last-report file, printed as JSON and rendered as a table.
/// Schema: docs/report-schema.json. <see cref="SchemaVersion"/> changes only when a field changes meaning or goes away;
/// new optional fields keep version 1.
/// </summary>
public sealed record Report(
    int SchemaVersion,
    string ToolVersion,
    string Host,
    DateTimeOffset GeneratedAt,
    ReportMode Mode,
    ReportStatus Status,
    ReportSummary Summary,
    IReadOnlyList<ProbeEntry> Probes,
    IReadOnlyList<StepEntry> Files,
    IReadOnlyList<StepEntry> Containers)
{
    public const int CurrentSchemaVersion = 1;

    /// <summary>Builds a report, deriving the overall status and the summary counts from the rows.</summary>
    public static Report Create(
        ReportMode mode, string toolVersion, string host, DateTimeOffset generatedAt, TimeSpan duration,
        IEnumerable<ProbeResult> probes, IEnumerable<StepEntry>? files = null, IEnumerable<StepEntry>? containers = null)
    {
        var probeEntries = probes.Select(ProbeEntry.From).ToList();
        var fileEntries = files?.ToList() ?? [];
        var containerEntries = containers?.ToList() ?? [];
        var steps = fileEntries.Concat(containerEntries).ToList();
        var summary = new ReportSummary(
            Ok: probeEntries.Count(p => p.Status == ProbeStatus.Ok) + steps.Count(s => s.Status is StepStatus.Ok or StepStatus.Changed),
            Changed: steps.Count(s => s.Status == StepStatus.Changed),
            Failed: probeEntries.Count(p => p.Status == ProbeStatus.Failed) + steps.Count(s => s.Status == StepStatus.Failed),
            Skipped: probeEntries.Count(p => p.Status == ProbeStatus.Skipped) + steps.Count(s => s.Status == StepStatus.Skipped),
            DurationMs: (long)Math.Round(duration.TotalMilliseconds))
        {
            Warnings = probeEntries.Count(p => p.Status == ProbeStatus.Warning),
        };
        return new Report(
            CurrentSchemaVersion, toolVersion, host, generatedAt.ToUniversalTime(), mode,
            summary.Failed > 0 ? ReportStatus.Failed : ReportStatus.Ok, summary, probeEntries, fileEntries, containerEntries);
    }
}
