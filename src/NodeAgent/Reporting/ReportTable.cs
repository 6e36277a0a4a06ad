using System.Globalization;
using System.Text;

using NodeAgent.Probes;

namespace NodeAgent.Reporting;

/// <summary>
/// The one-glance text form of a report, read like `systemctl status`: the verdict and counts first, then one row per
/// check (sources, identity, file, container, apply step) and one row per bucket with its five S3 actions as compact
/// columns. A failure's detail and fix follow on indented lines under its row, wrapped to the terminal; the details
/// of passed rows only with verbose. FAIL is upper case so it stands out without colour.
/// </summary>
public static class ReportTable
{
    /// <summary>The bucket columns, in the order the probe runs them.</summary>
    public static readonly IReadOnlyList<(string Action, string Column)> BucketActions =
    [
        ("s3:ListBucket", "List"), ("s3:GetBucketLocation", "Loc"), ("s3:PutObject", "Put"), ("s3:GetObject", "Get"), ("s3:DeleteObject", "Del"),
    ];

    private const string DetailIndent = "          ";
    private const int StatusWidth = 8;
    private static readonly string[] KindOrder = ["sources", "credentials", "key-age", "imds", "identity", "file", "container"];

    public static string Render(Report r, TerminalStyle? style = null, bool verbose = false)
    {
        var table = new TableWriter(style ?? TerminalStyle.Plain, verbose);
        var verdict = r.Status == ReportStatus.Ok ? "ok" : "FAILED";
        table.Line($"nodeagent {RunName(r.Mode)}: {verdict} — {SummaryLine(r.Summary)}", verdict, r.Status == ReportStatus.Ok ? Cells.Ok : Cells.Fail);
        table.Line($"  host {r.Host} at {r.GeneratedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z, nodeagent {r.ToolVersion}");

        var checks = r.Probes.Where(p => p.Probe != BucketAccessProbe.ProbeName)
            .Select(p => new Row(p.Probe, p.Target, Cell(p.Status), p.Detail, p.Fix))
            .OrderBy(row => KindRank(row.Kind))
            .Concat(r.Files.Select(f => new Row("file " + f.Step, f.Target, Cell(f.Status), f.Detail, f.Fix)))
            .Concat(r.Containers.Select(c => new Row("container " + c.Step, c.Target, Cell(c.Status), c.Detail, c.Fix)))
            .ToList();
        if (checks.Count > 0)
        {
            var kindWidth = checks.Max(c => c.Kind.Length) + 2;
            table.Blank();
            table.Line("STATUS".PadRight(StatusWidth) + "CHECK".PadRight(kindWidth) + "TARGET");
            foreach (var row in checks)
            {
                table.Row(row.Status, row.Kind.PadRight(kindWidth) + row.Target);
                table.Details([new Detail(row.Status, row.Detail, row.Fix)]);
            }
        }

        var buckets = BucketRows(r.Probes);
        if (buckets.Count > 0)
        {
            var roleWidth = buckets.Max(b => b.Role.Length) + 2;
            var nameWidth = buckets.Max(b => b.Name.Length) + 2;
            table.Blank();
            table.Line("STATUS".PadRight(StatusWidth) + "BUCKET".PadRight(roleWidth + nameWidth) + string.Join(" ", BucketActions.Select(a => a.Column.PadRight(4))).TrimEnd());
            foreach (var bucket in buckets)
            {
                table.Row(bucket.Status, bucket.Role.PadRight(roleWidth) + bucket.Name.PadRight(nameWidth), bucket.Cells);
                table.Details(bucket.Details);
            }
        }

        return table.ToString();
    }

    public static string SummaryLine(ReportSummary s)
    {
        var ok = s.Changed > 0 ? $"{s.Ok} ok ({s.Changed} changed)" : $"{s.Ok} ok";
        var seconds = (s.DurationMs / 1000.0).ToString("0.0", CultureInfo.InvariantCulture);
        var warnings = s.Warnings == 1 ? ", 1 warning" : s.Warnings > 1 ? $", {s.Warnings} warnings" : "";
        return $"{ok}{warnings}, {s.Failed} failed, {s.Skipped} skipped in {seconds} s";
    }

    /// <summary>The run that made a report, as the operator would type it.</summary>
    public static string RunName(ReportMode m) => m switch
    {
        ReportMode.Apply => "apply",
        ReportMode.DryRun => "apply --dry-run",
        ReportMode.Run => "run (the daemon)",
        _ => "verify",
    };

    /// <summary>Word-wraps <paramref name="text"/> to <paramref name="width"/>; continuation lines start with
    /// <paramref name="indent"/>. A word longer than a line (a long path) is broken where the line ends.</summary>
    internal static List<string> Wrap(string text, int width, string indent)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        var leading = text.Length - text.TrimStart(' ').Length;
        line.Append(text.AsSpan(0, leading));
        var atLineStart = true;
        foreach (var word in text[leading..].Split(' '))
        {
            var rest = word;
            while (true)
            {
                var separator = atLineStart ? 0 : 1;
                if (line.Length + separator + rest.Length <= width)
                {
                    if (!atLineStart)
                    {
                        line.Append(' ');
                    }

                    line.Append(rest);
                    atLineStart = false;
                    break;
                }

                if (!atLineStart && indent.Length + rest.Length <= width)
                {
                    lines.Add(line.ToString());
                    line.Clear().Append(indent);
                    atLineStart = true;
                    continue;
                }

                // Longer than any line: fill this one and carry the remainder.
                var room = width - line.Length - separator;
                if (room <= 0)
                {
                    lines.Add(line.ToString());
                    line.Clear().Append(indent);
                    atLineStart = true;
                    continue;
                }

                if (!atLineStart)
                {
                    line.Append(' ');
                }

                line.Append(rest.AsSpan(0, room));
                rest = rest[room..];
                lines.Add(line.ToString());
                line.Clear().Append(indent);
                atLineStart = true;
            }
        }

        lines.Add(line.ToString());
        return lines;
    }

    private static int KindRank(string kind) => Array.IndexOf(KindOrder, kind) is var i and >= 0 ? i : KindOrder.Length;

    /// <summary>
    /// Bucket probe targets are "role:name:s3:Action" (one per action), or "role:name" for a bucket that was not
    /// probed at all (no usable credentials), which stands for all five actions.
    /// </summary>
    private static List<BucketRow> BucketRows(IEnumerable<ProbeEntry> probes)
    {
        var rows = new List<BucketRow>();
        foreach (var group in probes.Where(p => p.Probe == BucketAccessProbe.ProbeName).GroupBy(p => BucketOf(p.Target)))
        {
            var entries = group.ToList();
            var cells = new List<string>();
            foreach (var (action, _) in BucketActions)
            {
                var entry = entries.FirstOrDefault(e => e.Target.EndsWith(":" + action, StringComparison.Ordinal))
                    ?? entries.FirstOrDefault(e => e.Target == group.Key.Role + ":" + group.Key.Name);
                cells.Add(entry is null ? "-" : Cell(entry.Status));
            }

            var worst = entries.Any(e => e.Status == ProbeStatus.Failed) ? Cells.Fail
                : entries.All(e => e.Status == ProbeStatus.Skipped) ? Cells.Skip
                : Cells.Ok;
            rows.Add(new BucketRow(group.Key.Role, group.Key.Name, worst, cells,
                // One action's skip follows from another row or from read-only; a whole bucket skipped says why.
                entries.Select(e => new Detail(Cell(e.Status), Label(e, group.Key) + e.Detail, e.Fix, Quiet: Label(e, group.Key).Length > 0)).ToList()));
        }

        return rows;
    }

    private static string Label(ProbeEntry e, (string Role, string Name) bucket) =>
        e.Target.Length > bucket.Role.Length + bucket.Name.Length + 1 ? e.Target[(bucket.Role.Length + bucket.Name.Length + 2)..] + ": " : "";

    private static (string Role, string Name) BucketOf(string target)
    {
        var parts = target.Split(':');
        return parts.Length >= 2 ? (parts[0], parts[1]) : (target, "");
    }

    private static string Cell(ProbeStatus s) => s switch
    {
        ProbeStatus.Ok => Cells.Ok,
        ProbeStatus.Failed => Cells.Fail,
        ProbeStatus.Warning => Cells.Warn,
        _ => Cells.Skip,
    };

    private static string Cell(StepStatus s) => s switch
    {
        StepStatus.Ok => Cells.Ok,
        StepStatus.Changed => Cells.Changed,
        StepStatus.Failed => Cells.Fail,
        _ => Cells.Skip,
    };

    private static class Cells
    {
        public const string Ok = "ok";
        public const string Fail = "FAIL";
        public const string Skip = "skip";
        public const string Changed = "changed";
        public const string Warn = "WARN";
    }

    private sealed record Row(string Kind, string Target, string Status, string Detail, string? Fix);

    private sealed record BucketRow(string Role, string Name, string Status, IReadOnlyList<string> Cells, IReadOnlyList<Detail> Details);

    /// <summary>Lines of at most the style's width (colour codes take no columns), without trailing blanks.</summary>
    private sealed class TableWriter(TerminalStyle style, bool verbose)
    {
        private readonly StringBuilder _text = new();

        public void Blank() => _text.Append('\n');

        /// <summary>A line, wrapped if it must be; with colour, <paramref name="painted"/> (a status word) in its colour.</summary>
        public void Line(string text, string? painted = null, string? status = null)
        {
            var lines = Wrap(text, style.Width, "    ");
            var at = painted is null ? -1 : lines[0].IndexOf(painted, StringComparison.Ordinal);
            Append(lines, at < 0 || status is null ? [] : [(at, painted!.Length, status)]);
        }

        /// <summary>STATUS, then the row's text, then its status cells (the bucket actions).</summary>
        public void Row(string status, string text, IReadOnlyList<string>? cells = null)
        {
            var lines = Wrap(status.PadRight(StatusWidth) + text + string.Join(" ", (cells ?? []).Select(c => c.PadRight(4))), style.Width, DetailIndent);
            var spans = new List<(int, int, string)> { (0, status.Length, status) };
            for (var i = 0; cells is not null && i < cells.Count; i++)
            {
                spans.Add((StatusWidth + text.Length + (i * 5), cells[i].Length, cells[i]));
            }

            Append(lines, spans);
        }

        /// <summary>Detail and fix lines under a row. A detail shows for a failure, a change and a row-level skip
        /// (its reason), and with verbose for every item; a fix whenever the item shows or is advice on a passed row.</summary>
        public void Details(IEnumerable<Detail> items)
        {
            foreach (var item in items)
            {
                var shown = verbose || item.Status is Cells.Fail or Cells.Changed or Cells.Warn || (item.Status == Cells.Skip && !item.Quiet);
                if (shown && !string.IsNullOrWhiteSpace(item.Text))
                {
                    foreach (var paragraph in item.Text.ReplaceLineEndings("\n").Split('\n'))
                    {
                        Append(Wrap(DetailIndent + paragraph, style.Width, DetailIndent), []);
                    }
                }

                if (item.Fix is not null && (shown || item.Status == Cells.Ok))
                {
                    foreach (var paragraph in item.Fix.ReplaceLineEndings("\n").Split('\n'))
                    {
                        Append(Wrap(DetailIndent + "fix: " + paragraph, style.Width, DetailIndent + "     "), []);
                    }
                }
            }
        }

        public override string ToString() => _text.ToString();

        private static string Paint(string status, string text) => status switch
        {
            Cells.Ok => $"\e[32m{text}\e[0m",
            Cells.Fail => $"\e[1;31m{text}\e[0m",
            Cells.Skip => $"\e[33m{text}\e[0m",
            Cells.Changed => $"\e[36m{text}\e[0m",
            Cells.Warn => $"\e[1;33m{text}\e[0m",
            _ => text,
        };

        /// <summary>Colour goes on the first line only, inserted from the end so earlier offsets stay valid.</summary>
        private void Append(List<string> lines, IEnumerable<(int Start, int Length, string Status)> spans)
        {
            for (var i = 0; i < lines.Count; i++)
            {
                var line = lines[i].TrimEnd();
                if (i == 0 && style.Colour)
                {
                    foreach (var (start, length, status) in spans.Where(sp => sp.Start + sp.Length <= line.Length).OrderByDescending(sp => sp.Start))
                    {
                        line = line[..start] + Paint(status, line.Substring(start, length)) + line[(start + length)..];
                    }
                }

                _text.Append(line).Append('\n');
            }
        }
    }

    /// <param name="Quiet">A skip that follows from another row (an action not attempted after a failure, or
    /// read-only): its reason shows with verbose only.</param>
    private sealed record Detail(string Status, string Text, string? Fix, bool Quiet = false);
}
