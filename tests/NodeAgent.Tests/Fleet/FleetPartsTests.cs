using Microsoft.Extensions.Time.Testing;

using NodeAgent.Cli;
using NodeAgent.Fleet;
using NodeAgent.Probes;
using NodeAgent.Reporting;
using NodeAgent.Sources;

namespace NodeAgent.Tests.Fleet;

/// <summary>The pieces of reports-to-S3 and `fleet` that need no store: the uri, the durations, the fingerprint, the schedule, the census.</summary>
public sealed class FleetPartsTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("s3://acme-reports/nodeagent/", "acme-reports", "nodeagent/")]
    [InlineData("s3://acme-reports/nodeagent", "acme-reports", "nodeagent/")]
    [InlineData("s3://acme-reports", "acme-reports", "")]
    [InlineData(" S3://acme-reports/a/b/ ", "acme-reports", "a/b/")]
    public void A_reports_uri_is_a_bucket_and_a_folder_prefix(string uri, string bucket, string prefix)
    {
        var location = S3ReportLocation.Parse(uri, "reporting.s3.uri");
        Assert.Equal((bucket, prefix), (location.Bucket, location.Prefix));
        Assert.Equal($"{prefix}i-0abc.json", location.KeyFor("i-0abc"));
    }

    [Theory]
    [InlineData("https://acme-reports/x/")]
    [InlineData("s3://Acme_Reports/x/")]
    [InlineData("s3://ab/x/")]
    [InlineData("s3://acme-reports/../x/")]
    [InlineData("s3://acme-reports/x\u001b]52/")]
    public void A_bad_reports_uri_is_an_input_error_naming_the_setting(string uri)
    {
        var e = Assert.Throws<InvalidInputException>(() => S3ReportLocation.Parse(uri, "reporting.s3.uri"));
        Assert.Equal("reporting.s3.uri", e.Problems[0].Where);
        Assert.Contains("s3://bucket/prefix/", e.Problems[0].Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    [InlineData("600", 600)]
    public void Stale_after_takes_seconds_minutes_hours_and_days(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), FleetCommand.ParseDuration(text));

    [Theory]
    [InlineData("0m")]
    [InlineData("-5m")]
    [InlineData("5w")]
    [InlineData("m")]
    [InlineData("1.5h")]
    public void A_bad_stale_after_is_a_usage_error(string text) =>
        Assert.Throws<InvalidInputException>(() => FleetCommand.ParseDuration(text));

    [Fact]
    public void The_fingerprint_ignores_timestamps_and_durations_but_not_status_or_rows()
    {
        var a = Sample(Now, TimeSpan.FromMilliseconds(10));
        var later = Sample(Now.AddMinutes(5), TimeSpan.FromMilliseconds(900));
        var failed = Sample(Now, TimeSpan.FromMilliseconds(10), ProbeStatus.Failed);
        var otherKey = Sample(Now, TimeSpan.FromMilliseconds(10), key: "AKIAOTHERKEY00000009");

        Assert.Equal(ReportFingerprint.Of(a), ReportFingerprint.Of(later));
        Assert.NotEqual(ReportFingerprint.Of(a), ReportFingerprint.Of(failed));
        Assert.NotEqual(ReportFingerprint.Of(a), ReportFingerprint.Of(otherKey));
    }

    [Fact]
    public void The_schedule_sends_changes_at_once_the_same_report_at_the_heartbeat_and_backs_off_after_a_failure()
    {
        var clock = new FakeTimeProvider(Now);
        var schedule = new PublishSchedule(clock, TimeSpan.FromSeconds(900));
        var report = Sample(Now, TimeSpan.Zero);
        Assert.True(schedule.IsDue(report));
        schedule.Published(report);
        clock.Advance(TimeSpan.FromSeconds(899));
        Assert.False(schedule.IsDue(report));
        Assert.True(schedule.IsDue(Sample(Now, TimeSpan.Zero, ProbeStatus.Failed)));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(schedule.IsDue(report));

        // Failures: 10 s, 20 s, 40 s… capped at the heartbeat; a success resets.
        schedule.Failed();
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.False(schedule.IsDue(report));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(schedule.IsDue(report));
        schedule.Failed();
        clock.Advance(TimeSpan.FromSeconds(19));
        Assert.False(schedule.IsDue(report));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(schedule.IsDue(report));
        for (var i = 0; i < 30; i++)
        {
            schedule.Failed();
        }

        clock.Advance(TimeSpan.FromSeconds(900));
        Assert.True(schedule.IsDue(report));
    }

    [Fact]
    public void The_census_counts_ok_failed_stale_and_unreadable_and_takes_only_the_masked_key_from_the_identity_row()
    {
        var location = S3ReportLocation.Parse("s3://acme-reports/fleet/", "--reports");
        var objects = new List<FleetObject>
        {
            new("fleet/a.json", Sample(Now, TimeSpan.Zero), null),
            new("fleet/b.json", Sample(Now, TimeSpan.Zero, ProbeStatus.Failed), null),
            new("fleet/c.json", Sample(Now.AddHours(-3), TimeSpan.Zero, key: "AKIAOTHERKEY00000009"), null),
            new("fleet/d.json", null, "not a NodeAgent report"),
            new("fleet/e.json", Report.Create(ReportMode.Run, "1", new string('x', 300), Now, TimeSpan.Zero, []), null),
        };

        var view = FleetCensus.Of(location, objects, Now, TimeSpan.FromMinutes(30));

        Assert.Equal((5, 2, 1, 1, 1), (view.Hosts, view.Ok, view.Failed, view.Stale, view.Unreadable));
        Assert.Equal([new FleetKeyCount("AKIA…0001", 2), new FleetKeyCount(FleetView.NoKey, 1), new FleetKeyCount("AKIA…0009", 1)], view.AccessKeys);
        Assert.False(view.AllGood);
        Assert.Equal(["failed", "stale", "unreadable"], view.Attention.Select(h => h.State));
        Assert.Equal("d", view.Attention[2].Host);
        Assert.Contains("s3 raw:b:s3:PutObject: refused", view.Attention[0].FirstFailure, StringComparison.Ordinal);
        Assert.Null(FleetCensus.AccessKeyOf(Report.Create(ReportMode.Run, "1", "h", Now, TimeSpan.Zero,
            [new ProbeResult("identity", "sts", ProbeStatus.Ok, "arn (key AKIAFULLKEYNOTMASKED1)", null, TimeSpan.Zero)])));
        var table = FleetTable.Render(view, TerminalStyle.Plain);
        Assert.All(table.Split('\n'), line => Assert.True(line.Length <= TerminalStyle.DefaultWidth, line));
        Assert.Contains("more than one key in use", table, StringComparison.Ordinal);
    }

    private static Report Sample(DateTimeOffset at, TimeSpan took, ProbeStatus s3 = ProbeStatus.Ok, string key = "AKIAFLEETKEY00000001") =>
        Report.Create(ReportMode.Run, "0.9.0", "h", at, took,
        [
            new ProbeResult("identity", "sts", ProbeStatus.Ok, $"account 1, arn:aws:iam::1:user/u (key {Secret.Mask(key, 4)})", null, took),
            new ProbeResult("s3", "raw:b:s3:PutObject", s3, s3 == ProbeStatus.Ok ? "ok" : "refused", null, took),
        ]);
}
