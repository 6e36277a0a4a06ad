using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

using NodeAgent.Reporting;

namespace NodeAgent.Fleet;

/// <summary>
/// `fleet` as text: the verdict and counts, the access keys in use with their host counts, then one row per host that
/// needs a look with its first failure and fix indented under it, wrapped to the terminal; colour only when the
/// style allows. Host names and details come from the hosts' own reports: the CLI's writer escapes control characters.
/// </summary>
public static class FleetTable
{
    private const string Indent = "          ";

    public static string Render(FleetView v, TerminalStyle style)
    {
        var b = new StringBuilder();
        var good = v.AllGood;
        var verdict = good ? "ok" : "ATTENTION";
        var staleAfter = FleetCensus.Age(TimeSpan.FromSeconds(v.StaleAfterSeconds));
        var headline = ReportTable.Wrap($"nodeagent fleet: {verdict} — {v.Hosts} hosts: {v.Ok} ok, {v.Failed} failed, " +
            $"{v.Stale} stale (no report for {staleAfter}), {v.Unreadable} unreadable", style.Width, "    ");
        var start = "nodeagent fleet: ".Length;
        headline[0] = headline[0][..start] + Paint(style, good ? "32" : "1;31", verdict) + headline[0][(start + verdict.Length)..];
        foreach (var line in headline)
        {
            b.Append(line.TrimEnd()).Append('\n');
        }

        foreach (var line in ReportTable.Wrap($"  reports {v.Reports} at {v.GeneratedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z", style.Width, "    "))
        {
            b.Append(line.TrimEnd()).Append('\n');
        }

        b.Append('\n');
        b.Append("ACCESS KEY".PadRight(20)).Append("HOSTS\n");
        foreach (var k in v.AccessKeys)
        {
            b.Append(k.AccessKey.PadRight(20)).Append(k.Hosts.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(5)).Append('\n');
        }

        if (v.AccessKeys.Count > 1)
        {
            b.Append("  more than one key in use: a rotation is under way, or some hosts did not take the new key\n");
        }

        if (v.Attention.Count == 0)
        {
            return b.ToString();
        }

        var hostWidth = Math.Max(v.Attention.Max(h => h.Host.Length), 4) + 2;
        b.Append('\n').Append("STATE".PadRight(15)).Append("HOST".PadRight(hostWidth)).Append("REPORTED\n");
        foreach (var h in v.Attention)
        {
            var at = h.GeneratedAt is { } g ? $"{g.UtcDateTime:yyyy-MM-dd HH:mm}Z" : "-";
            var state = h.State.ToUpperInvariant().PadRight(15);
            b.Append(Paint(style, h.State == "failed" ? "1;31" : "1;33", state)).Append(h.Host.PadRight(hostWidth)).Append(at).Append('\n');
            foreach (var line in ReportTable.Wrap(Indent + h.FirstFailure.ReplaceLineEndings(" "), style.Width, Indent))
            {
                b.Append(line.TrimEnd()).Append('\n');
            }

            if (h.Fix is { } fix)
            {
                foreach (var line in ReportTable.Wrap(Indent + "fix: " + fix.ReplaceLineEndings(" "), style.Width, Indent + "     "))
                {
                    b.Append(line.TrimEnd()).Append('\n');
                }
            }
        }

        return b.ToString();
    }

    private static string Paint(TerminalStyle style, string code, string text) => style.Colour ? $"\e[{code}m{text}\e[0m" : text;
}

/// <summary>`fleet --json`: the same view as the table. Source generated, for Native AOT.</summary>
public static class FleetJson
{
    public static string Serialize(FleetView v) => JsonSerializer.Serialize(v, FleetJsonContext.Default.FleetView);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(FleetView))]
internal sealed partial class FleetJsonContext : JsonSerializerContext;
