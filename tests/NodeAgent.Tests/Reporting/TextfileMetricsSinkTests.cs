using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

using NodeAgent.FileSystem;
using NodeAgent.Pipeline;
using NodeAgent.Probes;
using NodeAgent.Reporting;
using NodeAgent.Tests.FileSystem;

namespace NodeAgent.Tests.Reporting;

/// <summary>
/// reporting.textfile.path on real files: written only into an existing directory, atomically (no temp left, a planted
/// link not followed), 0644, no secret; and the text itself (the real parser reads it in the integration tests).
/// </summary>
public sealed class TextfileMetricsSinkTests
{
    private const string Collector = "/var/lib/node_exporter/textfile_collector";

    [Fact]
    public async Task Nothing_is_written_and_no_directory_made_when_node_exporters_directory_is_missing()
    {
        using var sandbox = new Sandbox();
        var result = await ApplyAsync(sandbox);
        Assert.Empty(result.ReportProblems);
        Assert.Empty(result.OtherSinkProblems);
        Assert.False(Directory.Exists(sandbox.Target("/var/lib/node_exporter")));
    }

    [Fact]
    public async Task Every_apply_rewrites_the_file_atomically_at_0644_with_no_temp_left_and_no_secret()
    {
        using var sandbox = new Sandbox();
        var directory = Directory.CreateDirectory(sandbox.Target(Collector)).FullName;

        var result = await ApplyAsync(sandbox);

        Assert.Empty(result.ReportProblems);
        var file = Path.Combine(directory, "nodeagent.prom");
        Assert.Equal(OnDisk.Octal("644"), OnDisk.Mode(file));
        Assert.Equal("nodeagent.prom", Path.GetFileName(Assert.Single(Directory.GetFiles(directory))));
        var text = File.ReadAllText(file);
        TestData.AssertNoSecret(text);
        Assert.Contains("nodeagent_credentials_info{key=\"AKIA…G001\",source=\"static\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("nodeagent_credentials_age_seconds 0\n", text, StringComparison.Ordinal);
        Assert.Contains($"nodeagent_check_ok{{check=\"file\",target=\"{sandbox.Target("/root/.aws/credentials")}\"}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("nodeagent_check_ok{check=\"key-age\",target=\"AKIA…G001\"} 1\n", text, StringComparison.Ordinal);
        // A one-shot apply has no daemon counters to report: absent, not zero, so the daemon's are never reset by it.
        Assert.DoesNotContain("_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_symlink_planted_at_the_target_is_refused_not_followed()
    {
        using var sandbox = new Sandbox();
        var directory = Directory.CreateDirectory(sandbox.Target(Collector)).FullName;
        var victim = Path.Combine(sandbox.Root, "victim");
        File.WriteAllText(victim, "untouched");
        File.CreateSymbolicLink(Path.Combine(directory, "nodeagent.prom"), victim);

        var sink = new TextfileMetricsSink(new SecureFileSystem(sandbox.Root), Path.Combine(directory, "nodeagent.prom"));
        await Assert.ThrowsAsync<UnsafePathException>(() => sink.PublishAsync(SampleReports.Verify(), CycleFacts.None, CancellationToken.None));

        Assert.Equal("untouched", File.ReadAllText(victim));
        Assert.True(new FileInfo(Path.Combine(directory, "nodeagent.prom")).LinkTarget is not null);
        Assert.DoesNotContain(Directory.GetFiles(directory), f => f.Contains(SecureFileSystem.TempFileMarker, StringComparison.Ordinal));

        // Through the Reconciler it is a report problem (a warning), never a failed run.
        var result = await ApplyAsync(sandbox);
        Assert.Null(result.Failure);
        Assert.Empty(result.ReportProblems);
        Assert.Contains(result.OtherSinkProblems, p => p.StartsWith(Path.Combine(directory, "nodeagent.prom") + " (", StringComparison.Ordinal));
    }

    [Fact]
    public void No_detail_or_fix_reaches_the_file_only_check_kinds_and_targets_and_those_are_escaped()
    {
        var report = Report.Create(ReportMode.Verify, "0.1.0", "h", SampleReports.GeneratedAt, TimeSpan.FromMilliseconds(1500),
        [
            new ProbeResult("identity", "sts", ProbeStatus.Failed, $"rejected {TestData.SecretKey}", $"fix {TestData.KeyId}", TimeSpan.Zero),
            new ProbeResult("container", "odd\"name\\with\nnewline", ProbeStatus.Warning, "detail", null, TimeSpan.Zero),
            new ProbeResult("bucket", "raw:expanso-raw:s3:GetObject", ProbeStatus.Skipped, "skipped", null, TimeSpan.Zero),
        ]);

        var text = TextfileMetrics.Render(report, CycleFacts.None);

        TestData.AssertNoSecret(text);
        Assert.DoesNotContain("rejected", text, StringComparison.Ordinal);
        Assert.Contains("nodeagent_check_ok{check=\"identity\",target=\"sts\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("nodeagent_check_ok{check=\"container\",target=\"odd\\\"name\\\\with\\nnewline\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("nodeagent_check_ok{check=\"bucket\",target=\"raw:expanso-raw:s3:GetObject\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("nodeagent_cycle_duration_seconds 1.5\n", text, StringComparison.Ordinal);
        Assert.Contains("nodeagent_last_cycle_timestamp_seconds 1795630966.123\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("nodeagent_credentials", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_daemons_counters_count_drift_and_each_rotation_judgement_once()
    {
        var counters = new CycleCounters();
        var rejected = new RotationCheck(RotationVerdict.Rejected, "new credentials rejected", []);
        counters.RecordRotation(rejected);
        counters.RecordRotation(rejected); // the gate's remembered verdict, handed to the next drift cycle
        counters.RecordRotation(new RotationCheck(RotationVerdict.NoChange, "using AKIA…G001", []));
        counters.RecordRotation(new RotationCheck(RotationVerdict.Verified, "rotated", []));
        counters.AddDriftRepairs(2);

        var text = TextfileMetrics.Render(SampleReports.Apply(), new CycleFacts { Counters = counters });

        Assert.Contains("# TYPE nodeagent_rotations_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("nodeagent_rotations_total{result=\"rejected\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("nodeagent_rotations_total{result=\"verified\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("nodeagent_rotations_total{result=\"unverifiable_applied\"} 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("no_change", text, StringComparison.Ordinal);
        Assert.Contains("nodeagent_drift_repairs_total 2\n", text, StringComparison.Ordinal);
    }

    private static async Task<ReconcileResult> ApplyAsync(Sandbox sandbox)
    {
        var services = AgentServices.Create(AgentContext.Create(null, sandbox.Root, sandbox.Sources), NullLoggerFactory.Instance,
            new FakeTimeProvider(SampleReports.GeneratedAt));
        var result = await new Reconciler(services).RunAsync(new ReconcileRequest(ReportMode.Apply) { Restart = false }, CancellationToken.None);
        Assert.True(result.Failure is null, result.Failure?.Message);
        return result;
    }
}
