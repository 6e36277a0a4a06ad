using System.Globalization;

using NodeAgent.Pipeline;
using NodeAgent.Probes;
using NodeAgent.Reporting;

namespace NodeAgent.Daemon;

/// <summary>
/// The one-line STATUS= systemd shows in `systemctl status nodeagent`:
/// "8/8 files ok, 2/2 containers ok, 21/21 probes ok, last 12:04:05", led by the first failure when there is one.
/// </summary>
public static class StatusLine
{
    public static string For(ReconcileResult result, ProbeTally? probes, TimeZoneInfo? zone = null)
    {
        var report = result.Report;
        var at = TimeZoneInfo.ConvertTime(report.GeneratedAt, zone ?? TimeZoneInfo.Local).ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        var parts = new List<string>();
        if (report.Files.Count > 0)
        {
            parts.Add($"{report.Files.Count(IsGood)}/{report.Files.Count} files ok");
        }

        if (report.Containers.Count > 0)
        {
            parts.Add($"{report.Containers.Count(IsGood)}/{report.Containers.Count} containers ok");
        }

        if (probes is not null)
        {
            parts.Add($"{probes.Ok}/{probes.Total} probes ok");
        }

        parts.Add($"last {at}");
        var counts = string.Join(", ", parts);
        var first = FirstFailure(result) ?? probes?.FirstFailure;
        return first is null ? counts : $"{first} ({counts})";
    }

    /// <summary>Probe rows of this cycle, when it ran any (rows of sources, rotation and the like are not probes).</summary>
    public static ProbeTally? ProbesOf(Report report)
    {
        var rows = report.Probes.Where(p => p.Probe is IdentityProbe.ProbeName or BucketAccessProbe.ProbeName or ContainerStateProbe.Kind).ToList();
        var failed = rows.FirstOrDefault(r => r.Status == ProbeStatus.Failed);
        return rows.Count == 0 ? null : new ProbeTally(rows.Count(r => r.Status != ProbeStatus.Failed), rows.Count,
            failed is null ? null : $"{failed.Probe} {failed.Target}: {failed.Detail}");
    }

    private static bool IsGood(StepEntry step) => step.Status is StepStatus.Ok or StepStatus.Changed;

    private static string? FirstFailure(ReconcileResult result)
    {
        if (result.Failure is { Problems: [var problem, ..] } failure)
        {
            return failure.Phase == "rotation" ? problem.What : $"{failure.Phase}: {problem.Where}: {problem.What}";
        }

        if (result.FailedProbes.FirstOrDefault() is { } row)
        {
            return $"{row.Probe} {row.Target}: {row.Detail}";
        }

        return result.Report.Containers.FirstOrDefault(c => c.Status == StepStatus.Failed) is { } container
            ? $"container {container.Target}: {container.Detail}"
            : null;
    }
}

/// <summary>The probe rows of the last cycle that ran probes: drift cycles do not probe, but STATUS still tells them.</summary>
public sealed record ProbeTally(int Ok, int Total, string? FirstFailure);
