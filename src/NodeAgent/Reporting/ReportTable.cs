using System.Globalization;
using System.Text;
using NodeAgent.Probes;

namespace NodeAgent.Reporting;

/// <summary>
/// The one-glance text form of a report: a header, one aligned row per probe and step (PROBE | TARGET | STATUS |
/// DETAIL | FIX), and a summary line such as "12 ok, 1 failed, 0 skipped in 1.4 s". FAILED is upper case so it
/// stands out in a terminal without colour.
/// </summary>
public static class ReportTable
{
    private static readonly string[] Header = ["PROBE", "TARGET", "STATUS", "DETAIL", "FIX"];

    public static string Render(Report r)
    {
        var rows = new List<string[]>();
        rows.AddRange(r.Files.Select(f => Row("file " + f.Step, f.Target, Text(f.Status), f.Detail, f.Fix)));
        rows.AddRange(r.Containers.Select(c => Row("container " + c.Step, c.Target, Text(c.Status), c.Detail, c.Fix)));
        rows.AddRange(r.Probes.Select(p => Row(p.Probe, p.Target, Text(p.Status), p.Detail, p.Fix)));

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"nodeagent {r.ToolVersion} {Text(r.Mode)} on {r.Host} at {r.GeneratedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z: {(r.Status == ReportStatus.Ok ? "ok" : "FAILED")}");
        text.Append('\n');
        if (rows.Count > 0)
        {
            var widths = Enumerable.Range(0, Header.Length)
                .Select(i => rows.Prepend(Header).Max(row => row[i].Length))
                .ToArray();
            AppendRow(text, Header, widths);
            foreach (var row in rows)
            {
                AppendRow(text, row, widths);
            }
        }

        text.Append(SummaryLine(r.Summary)).Append('\n');
        return text.ToString();
    }

    public static string SummaryLine(ReportSummary s)
    {
        var ok = s.Changed > 0 ? $"{s.Ok} ok ({s.Changed} changed)" : $"{s.Ok} ok";
        var seconds = (s.DurationMs / 1000.0).ToString("0.0", CultureInfo.InvariantCulture);
        return $"{ok}, {s.Failed} failed, {s.Skipped} skipped in {seconds} s";
    }

    private static string[] Row(string name, string target, string status, string detail, string? fix) =>
        [OneLine(name), OneLine(target), status, OneLine(detail), OneLine(fix ?? "")];

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            // The last column is not padded: no trailing blanks to wrap a narrow terminal.
            line.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }

        text.Append(line.ToString().TrimEnd()).Append('\n');
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");

    private static string Text(ProbeStatus s) => s switch
    {
        ProbeStatus.Ok => "ok",
        ProbeStatus.Failed => "FAILED",
        _ => "skipped",
    };

    private static string Text(StepStatus s) => s switch
    {
        StepStatus.Ok => "ok",
        StepStatus.Changed => "changed",
        StepStatus.Failed => "FAILED",
        _ => "skipped",
    };

    private static string Text(ReportMode m) => m switch
    {
        ReportMode.Apply => "apply",
        ReportMode.DryRun => "apply --dry-run",
        _ => "verify",
    };
}
