using NodeAgent.Reporting;

namespace NodeAgent.Tests.Reporting;

public sealed class ReportTableTests
{
    [Fact]
    public void The_table_has_a_header_aligned_columns_and_a_summary_line()
    {
        var lines = ReportTable.Render(SampleReports.Verify()).TrimEnd('\n').Split('\n');

        Assert.Equal("nodeagent 0.1.0 verify on sensor-host-1 at 2026-11-25 18:22:46Z: FAILED", lines[0]);
        var header = lines[1];
        Assert.Matches("^PROBE +TARGET +STATUS +DETAIL +FIX$", header);
        var rows = lines[2..^1];
        Assert.Equal(4, rows.Length);
        foreach (var column in new[] { "TARGET", "STATUS", "DETAIL" })
        {
            var at = header.IndexOf(column, StringComparison.Ordinal);
            Assert.All(rows, row => Assert.NotEqual(' ', row[at]));
            Assert.All(rows, row => Assert.Equal(' ', row[at - 1]));
        }

        var statusAt = header.IndexOf("STATUS", StringComparison.Ordinal);
        Assert.Equal(["ok", "ok", "FAILED", "skipped"], rows.Select(r => r[statusAt..].Split(' ')[0]));
        Assert.Equal("2 ok, 1 failed, 1 skipped in 1.4 s", lines[^1]);
        Assert.EndsWith("allow s3:PutObject on arn:aws:s3:::expanso-raw/* in the IAM policy", rows[2]);
        Assert.All(lines, l => Assert.Equal(l.TrimEnd(), l));
    }

    [Fact]
    public void File_and_container_steps_share_the_table_and_changes_show_in_the_summary()
    {
        var text = ReportTable.Render(SampleReports.Apply());

        Assert.Contains("file write", text);
        Assert.Contains("container restart", text);
        Assert.Contains(" changed ", text);
        Assert.EndsWith("3 ok (1 changed), 1 failed, 0 skipped in 2.5 s\n", text);
    }

    [Fact]
    public void A_detail_spanning_lines_stays_on_its_row()
    {
        var report = SampleReports.Verify() with
        {
            Probes = [new ProbeEntry("bucket", "raw:b:s3:ListBucket", NodeAgent.Probes.ProbeStatus.Failed, "line one\nline two", "fix\r\nit", 1)],
        };

        var lines = ReportTable.Render(report).TrimEnd('\n').Split('\n');

        Assert.Equal(4, lines.Length);
        Assert.Contains("line one line two", lines[2]);
        Assert.EndsWith("fix it", lines[2]);
    }
}
