using NodeAgent.Probes;
using NodeAgent.Reporting;

namespace NodeAgent.Tests.Reporting;

public sealed class ReportTableTests
{
    [Fact]
    public void The_verdict_and_counts_come_first_then_one_row_per_check_and_one_per_bucket_with_five_action_columns()
    {
        var lines = Lines(ReportTable.Render(SampleReports.Verify()));

        Assert.Equal("nodeagent verify: FAILED — 2 ok, 1 failed, 1 skipped in 1.4 s", lines[0]);
        Assert.Equal("  host sensor-host-1 at 2026-11-25 18:22:46Z, nodeagent 0.1.0", lines[1]);
        Assert.Matches("^STATUS +CHECK +TARGET$", lines[3]);
        Assert.Matches("^ok +identity +sts$", lines[4]);
        var header = Array.FindIndex(lines, l => l.StartsWith("STATUS  BUCKET", StringComparison.Ordinal));
        Assert.Matches("^STATUS +BUCKET +List Loc +Put +Get +Del$", lines[header]);
        Assert.Matches("^FAIL +raw +expanso-raw +ok +- +FAIL +skip +-$", lines[header + 1]);
        // The columns line up under their headers.
        foreach (var (column, cell) in new[] { ("List", "ok"), ("Put", "FAIL"), ("Get", "skip") })
        {
            var at = lines[header].IndexOf(column, StringComparison.Ordinal);
            Assert.Equal(cell, lines[header + 1][at..].Split(' ')[0]);
        }

        Assert.Equal("          s3:PutObject: access denied: missing s3:PutObject on arn:aws:s3:::expanso-raw/*", lines[header + 2]);
        Assert.Equal("          fix: allow s3:PutObject on arn:aws:s3:::expanso-raw/* in the IAM policy", lines[header + 3]);
        Assert.Equal(header + 4, lines.Length);
        Assert.All(lines, l => Assert.Equal(l.TrimEnd(), l));
    }

    [Fact]
    public void Every_line_of_a_full_verify_table_fits_120_columns_and_every_failure_shows_its_detail_and_fix()
    {
        var text = ReportTable.Render(SampleReports.FullVerify());
        var lines = Lines(text);

        Assert.All(lines, l => Assert.True(l.Length <= 120, $"{l.Length} columns: {l}"));
        Assert.Equal(8, lines.Count(l => l.StartsWith("ok      file ", StringComparison.Ordinal)));
        Assert.Equal(4, lines.Count(l => l.Contains("expanso-databricks-", StringComparison.Ordinal) && !l.StartsWith(' ')));
        Assert.Contains("FAIL    container  compute", lines);
        Assert.Contains(lines, l => l.StartsWith("          started before ", StringComparison.Ordinal));
        Assert.Contains("          fix: docker restart compute", lines);
        Assert.Contains(lines, l => l.StartsWith("          fix: allow s3:PutObject on arn:aws:s3:::expanso-databricks-schematized-us-west-2/*", StringComparison.Ordinal));
        // Wrapped continuation lines stay indented under their row.
        Assert.Contains(lines, l => l.StartsWith("               ", StringComparison.Ordinal));
        // Passed rows show no detail without --verbose.
        Assert.DoesNotContain("sees the current credentials", text, StringComparison.Ordinal);
        Assert.DoesNotContain("account 123456789012", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(60)]
    public void Lines_wrap_to_a_narrower_terminal(int width)
    {
        var lines = Lines(ReportTable.Render(SampleReports.FullVerify(), new TerminalStyle(width, Colour: false), verbose: true));

        Assert.All(lines, l => Assert.True(l.Length <= width, $"{l.Length} columns: {l}"));
    }

    [Fact]
    public void Verbose_adds_the_details_of_passed_rows_under_them()
    {
        var lines = Lines(ReportTable.Render(SampleReports.FullVerify(), verbose: true));

        var identity = Array.IndexOf(lines, "ok      identity   sts");
        Assert.Equal("          account 123456789012, arn:aws:iam::123456789012:user/sensor-node (key AKIA…WXYZ)", lines[identity + 1]);
        Assert.Contains(lines, l => l.StartsWith("          s3:ListBucket: s3:ListBucket on expanso-databricks-raw-us-west-2 ok", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("          sees the current credentials", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.Length <= 120, l));
    }

    [Fact]
    public void Colour_marks_the_statuses_only_when_asked_for_and_takes_no_columns()
    {
        var plain = ReportTable.Render(SampleReports.Verify());
        var coloured = ReportTable.Render(SampleReports.Verify(), new TerminalStyle(120, Colour: true));

        Assert.DoesNotContain("\e[", plain, StringComparison.Ordinal);
        Assert.Contains("\e[1;31mFAIL\e[0m", coloured, StringComparison.Ordinal);
        Assert.Contains("\e[1;31mFAILED\e[0m", coloured, StringComparison.Ordinal);
        Assert.Contains("\e[32mok\e[0m", coloured, StringComparison.Ordinal);
        Assert.Equal(plain, System.Text.RegularExpressions.Regex.Replace(coloured, "\e\\[[0-9;]*m", ""));
    }

    [Theory]
    [InlineData(true, 100, null, "xterm", 100, true)]
    [InlineData(true, 100, "1", "xterm", 100, false)]
    [InlineData(true, 100, "", "xterm", 100, true)]
    [InlineData(true, null, null, "dumb", 120, false)]
    [InlineData(false, 200, null, "xterm", 120, false)]
    public void Colour_only_on_a_terminal_never_with_NO_COLOR_and_width_120_when_unknown(
        bool isTerminal, int? width, string? noColor, string term, int expectedWidth, bool expectedColour)
    {
        Assert.Equal(new TerminalStyle(expectedWidth, expectedColour), TerminalStyle.Decide(isTerminal, width, noColor, term));
    }

    [Fact]
    public void File_and_container_steps_of_an_apply_show_with_their_change_and_failure()
    {
        var lines = Lines(ReportTable.Render(SampleReports.Apply()));

        Assert.Equal("nodeagent apply: FAILED — 3 ok (1 changed), 1 failed, 0 skipped in 2.5 s", lines[0]);
        var written = Array.FindIndex(lines, l => l.StartsWith("changed file write", StringComparison.Ordinal));
        Assert.Matches("^changed +file write +/root/.aws/credentials$", lines[written]);
        Assert.Equal("          written, mode 600 root:root", lines[written + 1]);
        Assert.Contains(lines, l => l.StartsWith("FAIL    container restart", StringComparison.Ordinal));
        Assert.Contains("          fix: docker logs sensor-simulators", lines);
    }

    [Fact]
    public void A_detail_spanning_lines_keeps_each_line_indented_under_its_row()
    {
        var report = SampleReports.Verify() with
        {
            Probes = [new ProbeEntry("identity", "sts", ProbeStatus.Failed, "line one\nline two", "fix\r\nit", 1)],
        };

        var lines = Lines(ReportTable.Render(report));

        Assert.Equal(["FAIL    identity  sts", "          line one", "          line two", "          fix: fix", "          fix: it"], lines[4..]);
    }

    private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');
}
