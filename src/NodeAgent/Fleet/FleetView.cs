using System.Text.RegularExpressions;

using NodeAgent.Probes;
using NodeAgent.Reporting;

namespace NodeAgent.Fleet;

/// <summary>One host that needs a look: failed, stale, or its object is not a readable report.</summary>
/// <param name="State">"failed", "stale", "stale, failed" or "unreadable".</param>
public sealed record FleetHost(string Host, string Key, string State, DateTimeOffset? GeneratedAt, string? AccessKey, string FirstFailure, string? Fix);

/// <summary>How many hosts report one access key (masked): two keys at once is a rotation still under way.</summary>
public sealed record FleetKeyCount(string AccessKey, int Hosts);

/// <summary>The fleet at a glance, as `fleet` prints it (text or JSON).</summary>
public sealed record FleetView(
    string Reports, DateTimeOffset GeneratedAt, long StaleAfterSeconds, int Hosts, int Ok, int Failed, int Stale, int Unreadable,
    IReadOnlyList<FleetKeyCount> AccessKeys, IReadOnlyList<FleetHost> Attention)
{
    /// <summary>Hosts whose report names no key (instance profile without an identity row, or a failed identity).</summary>
    public const string NoKey = "(none)";

    public bool AllGood => Hosts > 0 && Ok == Hosts;
}

/// <summary>Builds the <see cref="FleetView"/> of what <see cref="FleetReader"/> read: counts, the key census, and the hosts to look at.</summary>
public static partial class FleetCensus
{
    /// <summary>A host name shown in a table is the host's own claim: bounded so one object cannot widen the table.</summary>
    public const int MaxHostLength = 48;

    public static FleetView Of(S3ReportLocation location, IReadOnlyList<FleetObject> objects, DateTimeOffset now, TimeSpan staleAfter)
    {
        int ok = 0, failed = 0, stale = 0, unreadable = 0;
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        var attention = new List<FleetHost>();
        foreach (var o in objects)
        {
            if (o.Report is not { } r)
            {
                unreadable++;
                attention.Add(new FleetHost(HostOfKey(location, o.Key), o.Key, "unreadable", null, null, o.Problem ?? "not a report", "delete the object, or let its host's agent write it again"));
                continue;
            }

            var key = AccessKeyOf(r) ?? FleetView.NoKey;
            keys[key] = keys.GetValueOrDefault(key) + 1;
            var isStale = now - r.GeneratedAt > staleAfter;
            var isFailed = r.Status == ReportStatus.Failed;
            stale += isStale ? 1 : 0;
            failed += isFailed ? 1 : 0;
            if (!isStale && !isFailed)
            {
                ok++;
                continue;
            }

            var (first, fix) = isFailed ? FirstFailure(r) : ("last report ok", (string?)null);
            if (isStale)
            {
                first = $"no report for {Age(now - r.GeneratedAt)} ({first})";
                fix ??= "check the agent on that host: systemctl status nodeagent; journalctl -u nodeagent -p warning";
            }

            attention.Add(new FleetHost(Bounded(r.Host), o.Key, isStale && isFailed ? "stale, failed" : isStale ? "stale" : "failed", r.GeneratedAt, key, first, fix));
        }

        return new FleetView(location.ToString(), now, (long)staleAfter.TotalSeconds, objects.Count, ok, failed, stale, unreadable,
            keys.OrderByDescending(k => k.Value).ThenBy(k => k.Key, StringComparer.Ordinal).Select(k => new FleetKeyCount(k.Key, k.Value)).ToList(),
            attention.OrderBy(h => h.State, StringComparer.Ordinal).ThenBy(h => h.Host, StringComparer.Ordinal).ToList());
    }

    /// <summary>The key the identity row names, already masked by the host ("(key AKIA…WXYZ)"); nothing else matches.</summary>
    public static string? AccessKeyOf(Report r) =>
        r.Probes.Where(p => p.Probe == "identity").Select(p => MaskedKey().Match(p.Detail)).FirstOrDefault(m => m.Success)?.Groups[1].Value;

    public static string Age(TimeSpan age) => age.TotalSeconds switch
    {
        < 0 => "0 s",
        < 120 => $"{(int)age.TotalSeconds} s",
        < 7200 => $"{(int)age.TotalMinutes} min",
        < 172800 => $"{(int)age.TotalHours} h",
        _ => $"{(int)age.TotalDays} days",
    };

    private static (string First, string? Fix) FirstFailure(Report r)
    {
        if (r.Probes.FirstOrDefault(p => p.Status == ProbeStatus.Failed) is { } p)
        {
            return ($"{p.Probe} {p.Target}: {p.Detail}", p.Fix);
        }

        return r.Files.Concat(r.Containers).FirstOrDefault(s => s.Status == StepStatus.Failed) is { } s
            ? ($"{s.Step} {s.Target}: {s.Detail}", s.Fix)
            : ("failed (no failed row in the report)", null);
    }

    private static string HostOfKey(S3ReportLocation location, string key)
    {
        var name = key[location.Prefix.Length..];
        return Bounded(name.EndsWith(".json", StringComparison.Ordinal) ? name[..^5] : name);
    }

    private static string Bounded(string host) => host.Length <= MaxHostLength ? host : host[..(MaxHostLength - 1)] + "…";

    [GeneratedRegex(@"\(key ((?:AKIA|ASIA)…[A-Z0-9]{4})\)")]
    private static partial Regex MaskedKey();
}
