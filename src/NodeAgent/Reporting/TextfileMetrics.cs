using System.Globalization;
using System.Text;

using NodeAgent.Pipeline;
using NodeAgent.Probes;

namespace NodeAgent.Reporting;

/// <summary>
/// A report as Prometheus text exposition (format 0.0.4), for node_exporter's textfile collector. Names follow the
/// Prometheus conventions: base units (seconds), _total for counters, _info for a constant 1 carrying labels.
/// Labels hold only check kinds, targets (paths, bucket and container names, the masked key) and fixed words: never a
/// detail or a fix, which quote what others wrote, and never a secret.
/// </summary>
public static class TextfileMetrics
{
    public static string Render(Report report, CycleFacts facts)
    {
        var text = new StringBuilder();
        Family(text, "nodeagent_check_ok", "gauge", "Whether a check of the last apply, verify or run cycle passed (1; a warning or a skip passes) or failed (0).");
        foreach (var ((check, target), ok) in Checks(report))
        {
            Sample(text, "nodeagent_check_ok", [("check", check), ("target", target)], ok ? 1 : 0);
        }

        Family(text, "nodeagent_last_cycle_timestamp_seconds", "gauge", "When the last apply, verify or run cycle finished, in seconds since the Unix epoch.");
        Sample(text, "nodeagent_last_cycle_timestamp_seconds", [], report.GeneratedAt.ToUnixTimeMilliseconds() / 1000.0);
        Family(text, "nodeagent_cycle_duration_seconds", "gauge", "How long the last apply, verify or run cycle took.");
        Sample(text, "nodeagent_cycle_duration_seconds", [], report.Summary.DurationMs / 1000.0);

        if (facts.Counters is { } counters)
        {
            Family(text, "nodeagent_drift_repairs_total", "counter", "Targets the daemon found changed with unchanged sources and repaired, since it started.");
            Sample(text, "nodeagent_drift_repairs_total", [], counters.DriftRepairs);
            Family(text, "nodeagent_rotations_total", "counter", "Rotations of the keys the daemon judged since it started, by verdict.");
            foreach (var verdict in CycleCounters.RotationVerdicts)
            {
                Sample(text, "nodeagent_rotations_total", [("result", SnakeCase(verdict))], counters.Rotations(verdict));
            }
        }

        if (facts.CredentialsSource is { } source)
        {
            Family(text, "nodeagent_credentials_info", "gauge", "The credentials in use: the masked access key id (empty on an instance profile) and their source.");
            Sample(text, "nodeagent_credentials_info", [("key", facts.KeyAge?.Key ?? string.Empty), ("source", source)], 1);
        }

        if (facts.KeyAge is { Age: { } age })
        {
            Family(text, "nodeagent_credentials_age_seconds", "gauge", "How long ago this host first placed the access key in use.");
            Sample(text, "nodeagent_credentials_age_seconds", [], Math.Floor(age.TotalSeconds));
        }

        return text.ToString();
    }

    /// <summary>RotationVerdict.UnverifiableApplied → "unverifiable_applied".</summary>
    public static string SnakeCase(RotationVerdict verdict)
    {
        var name = verdict.ToString();
        var snake = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && snake.Length > 0)
            {
                snake.Append('_');
            }

            snake.Append(char.ToLowerInvariant(c));
        }

        return snake.ToString();
    }

    /// <summary>
    /// A label value as the text format wants it: backslash, double quote and line feed escaped. Targets are text others
    /// chose (a path, a container name), so one holding a quote must not end the label early.
    /// </summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>
    /// One value per (check, target), in report order. The same pair twice (a probe row and an apply step on one file)
    /// would be a duplicate series, which Prometheus rejects: the worse of the two stands.
    /// </summary>
    private static IEnumerable<KeyValuePair<(string Check, string Target), bool>> Checks(Report report)
    {
        var rows = report.Probes.Select(p => ((p.Probe, p.Target), p.Status != ProbeStatus.Failed))
            .Concat(report.Files.Select(f => (("file", f.Target), f.Status != StepStatus.Failed)))
            .Concat(report.Containers.Select(c => (("container", c.Target), c.Status != StepStatus.Failed)));
        var checks = new Dictionary<(string, string), bool>();
        var order = new List<(string, string)>();
        foreach (var (key, ok) in rows)
        {
            if (checks.TryGetValue(key, out var seen))
            {
                checks[key] = seen && ok;
            }
            else
            {
                checks[key] = ok;
                order.Add(key);
            }
        }

        return order.Select(k => KeyValuePair.Create(k, checks[k]));
    }

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, (string Name, string Value)[] labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').AppendJoin(',', labels.Select(l => $"{l.Name}=\"{EscapeLabelValue(l.Value)}\"")).Append('}');
        }

        text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }
}
