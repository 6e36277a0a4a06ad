using NodeAgent.Cli;
using NodeAgent.Probes;
using NodeAgent.Reporting;

namespace NodeAgent.Tests.Cli;

/// <summary>`status` in-process on a sandbox root: a report file as verify or apply leaves it, aged on purpose.</summary>
public sealed class StatusCommandTests
{
    [Fact]
    public async Task Status_of_a_recent_verify_report_says_which_run_made_it_and_how_old_it_is()
    {
        using var sandbox = new Sandbox();
        WriteReport(sandbox, ReportMode.Verify, TimeSpan.FromSeconds(42));

        var run = await sandbox.RunAsync("status", "--root", sandbox.Root);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Matches(@"(?m)^  made by verify at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ, 4[2-9] s ago$", run.Output);
        Assert.DoesNotContain("stale", run.Output, StringComparison.Ordinal);
        Assert.Contains("nodeagent verify: ok — 1 ok, 0 failed, 0 skipped", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ReportMode.Apply, "apply")]
    [InlineData(ReportMode.DryRun, "apply --dry-run")]
    public async Task Status_names_an_apply_or_dry_run_as_the_run_that_made_the_report(ReportMode mode, string name)
    {
        using var sandbox = new Sandbox();
        WriteReport(sandbox, mode, TimeSpan.FromMinutes(5));

        var run = await sandbox.RunAsync("status", "--root", sandbox.Root);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Matches($@"(?m)^  made by {System.Text.RegularExpressions.Regex.Escape(name)} at .*, 5 min ago$", run.Output);
    }

    [Fact]
    public async Task A_healthy_report_older_than_the_default_half_hour_is_stale_exit_1_with_the_fix()
    {
        using var sandbox = new Sandbox();
        WriteReport(sandbox, ReportMode.Verify, TimeSpan.FromMinutes(31));

        var run = await sandbox.RunAsync("status", "--root", sandbox.Root);

        Assert.Equal(ExitCodes.ProbeFailed, run.ExitCode);
        Assert.Contains("  stale: the last report is 31 min old, older than status.stale_after_seconds (1800 s)", run.Output, StringComparison.Ordinal);
        Assert.Contains("fix: run nodeagent verify", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stale_threshold_comes_from_the_configuration_and_json_output_reports_staleness_on_stderr()
    {
        using var sandbox = new Sandbox();
        WriteReport(sandbox, ReportMode.Verify, TimeSpan.FromMinutes(31));
        var config = sandbox.WriteConfig("status:\n  stale_after_seconds: 3600\n");
        var fresh = await sandbox.RunAsync("status", "--root", sandbox.Root, "--config", config);
        sandbox.WriteConfig("status:\n  stale_after_seconds: 60\n");

        var stale = await sandbox.RunAsync("status", "--root", sandbox.Root, "--config", config, "--json");

        Assert.True(fresh.ExitCode == ExitCodes.Ok, fresh.ToString());
        Assert.Equal(ExitCodes.ProbeFailed, stale.ExitCode);
        Assert.Contains("stale_after_seconds (60 s)", stale.Error, StringComparison.Ordinal);
        Assert.True(ReportSchema.Evaluate(stale.Output).IsValid);
    }

    [Fact]
    public async Task A_failed_recent_report_still_exits_1()
    {
        using var sandbox = new Sandbox();
        WriteReport(sandbox, ReportMode.Verify, TimeSpan.FromSeconds(3), ProbeStatus.Failed);

        var run = await sandbox.RunAsync("status", "--root", sandbox.Root);

        Assert.Equal(ExitCodes.ProbeFailed, run.ExitCode);
        Assert.DoesNotContain("stale", run.Output, StringComparison.Ordinal);
        Assert.Contains("fix: fix it", run.Output, StringComparison.Ordinal);
    }

    private static void WriteReport(Sandbox sandbox, ReportMode mode, TimeSpan age, ProbeStatus status = ProbeStatus.Ok)
    {
        var report = Report.Create(mode, "0.1.0", "host-1", DateTimeOffset.UtcNow - age, TimeSpan.FromMilliseconds(80),
            [new ProbeResult("identity", "sts", status, "account 123456789012", status == ProbeStatus.Failed ? "fix it" : null, TimeSpan.Zero)]);
        var path = sandbox.Target("/var/lib/nodeagent/last-report.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, ReportJson.Serialize(report) + "\n");
    }
}
