using System.Text.Json;

using NodeAgent.Probes;
using NodeAgent.Reporting;

namespace NodeAgent.Tests.Reporting;

public sealed class ReportJsonTests
{
    [Fact]
    public void A_report_survives_a_round_trip_unchanged()
    {
        foreach (var report in new[] { SampleReports.Verify(), SampleReports.Apply() })
        {
            var json = ReportJson.Serialize(report);
            var back = ReportJson.Deserialize(json);

            Assert.NotNull(back);
            Assert.Equal(report.Probes, back.Probes);
            Assert.Equal(report.Files, back.Files);
            Assert.Equal(report.Containers, back.Containers);
            Assert.Equal(report with { Probes = back.Probes, Files = back.Files, Containers = back.Containers }, back);
            Assert.Equal(json, ReportJson.Serialize(back));
        }
    }

    [Fact]
    public void Names_are_camelCase_enums_lowercase_strings_and_the_timestamp_UTC_with_a_Z()
    {
        var root = JsonDocument.Parse(ReportJson.Serialize(SampleReports.Verify())).RootElement;

        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("2026-11-25T18:22:46.123Z", root.GetProperty("generatedAt").GetString());
        Assert.Equal("verify", root.GetProperty("mode").GetString());
        Assert.Equal("failed", root.GetProperty("status").GetString());
        var put = root.GetProperty("probes")[2];
        Assert.Equal("failed", put.GetProperty("status").GetString());
        Assert.Equal("raw:expanso-raw:s3:PutObject", put.GetProperty("target").GetString());
        Assert.Equal(9, put.GetProperty("durationMs").GetInt64());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("probes")[0].GetProperty("fix").ValueKind);
        Assert.Equal(42, root.GetProperty("probes")[0].GetProperty("durationMs").GetInt64()); // 41.6 ms rounds to the nearest
    }

    [Fact]
    public void A_report_with_another_offset_is_stored_in_UTC()
    {
        var report = Report.Create(ReportMode.Verify, "0.1.0", "h", new DateTimeOffset(2026, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)), TimeSpan.Zero, []);

        Assert.Contains("\"generatedAt\": \"2026-01-01T00:00:00.000Z\"", ReportJson.Serialize(report));
    }

    [Theory]
    [InlineData("\"schemaVersion\": 1", "\"schemaVersion\": 2", "schemaVersion 2 is not supported")]
    [InlineData("\"mode\": \"verify\"", "\"mode\": 1", "not a NodeAgent report")]
    [InlineData("\"host\": \"sensor-host-1\",", "", "not a NodeAgent report")]
    [InlineData("\"status\": \"failed\",", "\"status\": \"bogus\",", "not a NodeAgent report")]
    public void Anything_but_a_complete_version_1_report_is_refused_with_the_reason(string from, string to, string reason)
    {
        var json = ReportJson.Serialize(SampleReports.Verify());
        Assert.Contains(from, json);

        var e = Assert.Throws<InvalidDataException>(() => ReportJson.Deserialize(json.Replace(from, to)));

        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Summary_counts_and_status_follow_the_rows()
    {
        var verify = SampleReports.Verify();
        var apply = SampleReports.Apply();

        Assert.Equal(new ReportSummary(Ok: 2, Changed: 0, Failed: 1, Skipped: 1, DurationMs: 1432), verify.Summary);
        Assert.Equal(ReportStatus.Failed, verify.Status);
        Assert.Equal(new ReportSummary(Ok: 3, Changed: 1, Failed: 1, Skipped: 0, DurationMs: 2500), apply.Summary);
        var clean = Report.Create(ReportMode.Verify, "0.1.0", "h", SampleReports.GeneratedAt, TimeSpan.Zero,
            [new ProbeResult("identity", "sts", ProbeStatus.Skipped, "custom endpoint", null, TimeSpan.Zero)]);
        Assert.Equal(ReportStatus.Ok, clean.Status);
    }
}
