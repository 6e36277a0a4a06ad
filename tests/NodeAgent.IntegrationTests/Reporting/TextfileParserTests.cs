using System.Text.Json;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

using NodeAgent.IntegrationTests.Packaging;
using NodeAgent.Pipeline;
using NodeAgent.Probes;
using NodeAgent.Reporting;

namespace NodeAgent.IntegrationTests.Reporting;

/// <summary>
/// The node_exporter textfile read by the Prometheus project's own parser (prometheus_client, Debian's
/// python3-prometheus-client for /usr/bin/python3, installed by .ci/run): every family with its type and values, as
/// a scrape would see them.
/// </summary>
public sealed class TextfileParserTests
{
    private const string Collector = "/var/lib/node_exporter/textfile_collector";

    // Prints every family as JSON: name, type, and its samples as [name, labels, value].
    private const string Parse = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        text = open(sys.argv[1], encoding="utf-8").read()
        print(json.dumps([{"name": f.name, "type": f.type, "help": f.documentation,
                           "samples": [[s.name, s.labels, s.value] for s in f.samples]}
                          for f in text_string_to_metric_families(text)]))
        """;

    private static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_daemon_cycles_textfile_parses_with_every_family_and_its_values()
    {
        using var sandbox = new Sandbox();
        Directory.CreateDirectory(sandbox.Target(Collector));
        var clock = new FakeTimeProvider(Start);
        var counters = new CycleCounters();
        var reconciler = new Reconciler(AgentServices.Create(AgentContext.Create(null, sandbox.Root, sandbox.Sources), NullLoggerFactory.Instance, clock));
        await CycleAsync(reconciler, counters);
        clock.Advance(TimeSpan.FromDays(12));
        counters.AddDriftRepairs(3);
        await CycleAsync(reconciler, counters);

        var families = await ParseAsync(sandbox.Target(Collector + "/nodeagent.prom"));

        Assert.Equal(
            ["nodeagent_check_ok", "nodeagent_last_cycle_timestamp_seconds", "nodeagent_cycle_duration_seconds", "nodeagent_drift_repairs",
             "nodeagent_rotations", "nodeagent_credentials_info", "nodeagent_credentials_age_seconds"],
            families.Select(f => f.Name));
        Assert.All(families, f => Assert.False(string.IsNullOrWhiteSpace(f.Help), f.Name));
        Assert.Equal(["gauge", "gauge", "gauge", "counter", "counter", "gauge", "gauge"], families.Select(f => f.Type));

        var checks = Family(families, "nodeagent_check_ok").Samples;
        Assert.Equal(checks.Count, checks.Select(s => (s.Labels["check"], s.Labels["target"])).Distinct().Count());
        Assert.All(checks, s => Assert.Equal(1, s.Value));
        Assert.Contains(checks, s => s.Labels["check"] == "file" && s.Labels["target"] == sandbox.Target("/opt/sensor/docker.env"));
        Assert.Contains(checks, s => s.Labels["check"] == "key-age" && s.Labels["target"] == "AKIA…G001");
        Assert.Contains(checks, s => s.Labels["check"] == "credentials" && s.Labels["target"] == "static");

        Assert.Equal(clock.GetUtcNow().ToUnixTimeSeconds(), Single(families, "nodeagent_last_cycle_timestamp_seconds").Value);
        Assert.InRange(Single(families, "nodeagent_cycle_duration_seconds").Value, 0, 60);
        var drift = Single(families, "nodeagent_drift_repairs");
        Assert.Equal(("nodeagent_drift_repairs_total", 3.0), (drift.Name, drift.Value));
        var rotations = Family(families, "nodeagent_rotations").Samples;
        Assert.All(rotations, s => Assert.Equal("nodeagent_rotations_total", s.Name));
        Assert.Equal(1, rotations.Single(s => s.Labels["result"] == "first_placement").Value);
        Assert.Equal(0, rotations.Single(s => s.Labels["result"] == "rejected").Value);
        var info = Single(families, "nodeagent_credentials_info");
        Assert.Equal(new Dictionary<string, string> { ["key"] = "AKIA…G001", ["source"] = "static" }, info.Labels);
        Assert.Equal(1, info.Value);
        Assert.Equal(TimeSpan.FromDays(12).TotalSeconds, Single(families, "nodeagent_credentials_age_seconds").Value);

        TestData.AssertNoSecret(await File.ReadAllTextAsync(sandbox.Target(Collector + "/nodeagent.prom")));
    }

    [Fact]
    public async Task Targets_other_people_chose_round_trip_through_the_label_escapes()
    {
        const string Odd = "/opt/sensor/we\"ird\\name\nwith newline and ünïcode";
        var report = Report.Create(ReportMode.Verify, "0.1.0", "h", Start, TimeSpan.FromSeconds(1),
            [new ProbeResult("file", Odd, ProbeStatus.Failed, "detail", "fix", TimeSpan.Zero)]);
        var path = Path.Combine(Directory.CreateTempSubdirectory("nodeagent-prom-").FullName, "nodeagent.prom");
        await File.WriteAllTextAsync(path, TextfileMetrics.Render(report, CycleFacts.None));

        var sample = Assert.Single(Family(await ParseAsync(path), "nodeagent_check_ok").Samples);

        Assert.Equal((Odd, 0.0), (sample.Labels["target"], sample.Value));
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    private static async Task CycleAsync(Reconciler reconciler, CycleCounters counters)
    {
        var result = await reconciler.RunAsync(
            new ReconcileRequest(ReportMode.Run) { Restart = false, Counters = counters, BeforePublish = r => counters.RecordRotation(r.Rotation) },
            CancellationToken.None);
        Assert.True(result.Failure is null, result.Failure?.Message);
        Assert.Empty(result.ReportProblems);
        Assert.Empty(result.OtherSinkProblems);
    }

    private static async Task<IReadOnlyList<MetricFamily>> ParseAsync(string path)
    {
        var run = await Tool.RunAsync("/usr/bin/python3", ["-c", Parse, path]);
        Assert.True(run.ExitCode == 0, $"{run}\nfix: apt-get install python3-prometheus-client (.ci/run installs it)");
        using var json = JsonDocument.Parse(run.Output);
        return json.RootElement.EnumerateArray().Select(f => new MetricFamily(
            f.GetProperty("name").GetString()!, f.GetProperty("type").GetString()!, f.GetProperty("help").GetString()!,
            f.GetProperty("samples").EnumerateArray().Select(s => new MetricSample(
                s[0].GetString()!,
                s[1].EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                s[2].GetDouble())).ToList())).ToList();
    }

    private static MetricFamily Family(IEnumerable<MetricFamily> families, string name) => Assert.Single(families, f => f.Name == name);

    private static MetricSample Single(IEnumerable<MetricFamily> families, string name) => Assert.Single(Family(families, name).Samples);

    private sealed record MetricFamily(string Name, string Type, string Help, IReadOnlyList<MetricSample> Samples);

    private sealed record MetricSample(string Name, Dictionary<string, string> Labels, double Value);
}
