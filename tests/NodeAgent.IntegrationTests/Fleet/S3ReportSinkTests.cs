using Amazon.Runtime;

using Microsoft.Extensions.Time.Testing;

using NodeAgent.Configuration;
using NodeAgent.IntegrationTests.Fixtures;
using NodeAgent.Probes;
using NodeAgent.Reporting;
using NodeAgent.Sources;

namespace NodeAgent.IntegrationTests.Fleet;

/// <summary>
/// The S3 report sink against moto_server with signature and IAM checks: where the report lands, when the daemon
/// sends it again (a change, or the heartbeat, on a fake clock), and that every failure is a ReportStoreException
/// holding no secret (which the Reconciler turns into a warning).
/// </summary>
[Collection(MotoServerCollection.Name)]
public sealed class S3ReportSinkTests(MotoServerFixture moto)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_daemon_report_is_sent_again_only_when_it_changed_or_the_heartbeat_is_due()
    {
        using var bucket = await ReportsBucket.CreateAsync(moto);
        var user = await moto.CreateUserAsync(["s3:PutObject"], [bucket.Name]);
        var clock = new FakeTimeProvider(Start);
        var sink = Sink(bucket.Name, user, clock, heartbeatSeconds: 900);
        var key = sink.Location.KeyFor(ProbeHostName.Current());

        await sink.PublishAsync(ReportsBucket.Sample("h1", clock.GetUtcNow(), TestData.KeyId, mode: ReportMode.Run), default);
        Assert.Contains("\"generatedAt\": \"2026-03-01T12:00:00.000Z\"", await bucket.ReadAsync(key), StringComparison.Ordinal);

        // Same status and rows a minute later (new timestamp and duration): not sent.
        clock.Advance(TimeSpan.FromSeconds(60));
        await sink.PublishAsync(ReportsBucket.Sample("h1", clock.GetUtcNow(), TestData.KeyId, mode: ReportMode.Run), default);
        Assert.Contains("2026-03-01T12:00:00.000Z", await bucket.ReadAsync(key), StringComparison.Ordinal);

        // A failure appears: sent at once.
        clock.Advance(TimeSpan.FromSeconds(60));
        await sink.PublishAsync(ReportsBucket.Sample("h1", clock.GetUtcNow(), TestData.KeyId, failed: true, mode: ReportMode.Run), default);
        var changed = await bucket.ReadAsync(key);
        Assert.Contains("2026-03-01T12:02:00.000Z", changed, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"failed\"", changed, StringComparison.Ordinal);

        // Unchanged until the heartbeat: 899 s later nothing, at 900 s it is sent again.
        clock.Advance(TimeSpan.FromSeconds(899));
        await sink.PublishAsync(ReportsBucket.Sample("h1", clock.GetUtcNow(), TestData.KeyId, failed: true, mode: ReportMode.Run), default);
        Assert.Contains("2026-03-01T12:02:00.000Z", await bucket.ReadAsync(key), StringComparison.Ordinal);
        clock.Advance(TimeSpan.FromSeconds(1));
        await sink.PublishAsync(ReportsBucket.Sample("h1", clock.GetUtcNow(), TestData.KeyId, failed: true, mode: ReportMode.Run), default);
        Assert.Contains("2026-03-01T12:17:00.000Z", await bucket.ReadAsync(key), StringComparison.Ordinal);

        // verify (and apply) always send, changed or not.
        clock.Advance(TimeSpan.FromSeconds(5));
        await sink.PublishAsync(ReportsBucket.Sample("h1", clock.GetUtcNow(), TestData.KeyId, failed: true), default);
        var verified = await bucket.ReadAsync(key);
        Assert.Contains("2026-03-01T12:17:05.000Z", verified, StringComparison.Ordinal);
        Assert.NotNull(ReportJson.Deserialize(verified!));
        TestData.AssertNoSecret(verified!);
    }

    [Fact]
    public async Task A_missing_bucket_or_a_denied_user_is_a_report_store_error_without_a_secret_and_backs_off()
    {
        using var bucket = await ReportsBucket.CreateAsync(moto);
        var allowed = await moto.CreateUserAsync(["s3:PutObject"], [bucket.Name, "nodeagent-no-such-bucket"]);
        var denied = await moto.CreateUserAsync(["s3:GetObject"], [bucket.Name]);
        var clock = new FakeTimeProvider(Start);

        var missing = await Assert.ThrowsAsync<ReportStoreException>(() =>
            Sink("nodeagent-no-such-bucket", allowed, clock).PublishAsync(ReportsBucket.Sample("h1", Start, TestData.KeyId), default));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);

        var sink = Sink(bucket.Name, denied, clock);
        var refused = await Assert.ThrowsAsync<ReportStoreException>(() => sink.PublishAsync(ReportsBucket.Sample("h1", Start, TestData.KeyId, mode: ReportMode.Run), default));
        Assert.Contains("PutObject denied (AccessDenied)", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"s3:PutObject on arn:aws:s3:::{bucket.Name}/fleet/", refused.Message, StringComparison.Ordinal);
        foreach (var user in new[] { allowed, denied })
        {
            Assert.DoesNotContain(user.SecretAccessKey.Reveal(), missing.Message + refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(user.AccessKeyId.Reveal(), missing.Message + refused.Message, StringComparison.Ordinal);
        }

        // A daemon cycle right after the failure does not try again (backoff); one after the backoff does.
        await sink.PublishAsync(ReportsBucket.Sample("h1", Start, TestData.KeyId, mode: ReportMode.Run), default);
        clock.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<ReportStoreException>(() => sink.PublishAsync(ReportsBucket.Sample("h1", Start, TestData.KeyId, mode: ReportMode.Run), default));
    }

    [Fact]
    public async Task A_reports_uri_inside_a_data_bucket_is_a_failed_config_row_and_nothing_is_sent()
    {
        var data = MotoServerFixture.RoleBuckets[1];
        var user = await moto.CreateUserAsync(["s3:PutObject"], [data.Name]);
        var sink = Sink(data.Name, user, new FakeTimeProvider(Start));
        var set = new CredentialSet(null, MotoServerFixture.Region, MotoServerFixture.RoleBuckets, []);

        var row = sink.Admit(set);

        Assert.NotNull(row);
        Assert.Equal(("config", "reporting.s3.uri", ProbeStatus.Failed), (row.Probe, row.Target, row.Status));
        Assert.Contains("schematized data bucket", row.Detail, StringComparison.Ordinal);
        Assert.Contains("a bucket of its own", row.Fix, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ReportStoreException>(() => sink.PublishAsync(ReportsBucket.Sample("h1", Start, TestData.KeyId), default));
        using var admin = ReportsBucket.Client(moto, moto.Admin);
        var listed = await admin.ListObjectsV2Async(new() { BucketName = data.Name, Prefix = "fleet/" });
        Assert.Empty(listed.S3Objects ?? []);
    }

    private S3ReportSink Sink(string bucket, AwsCredentials user, TimeProvider clock, int heartbeatSeconds = 900)
    {
        var options = new S3ReportingOptions { Uri = $"s3://{bucket}/fleet/", Endpoint = moto.Endpoint, Region = MotoServerFixture.Region, HeartbeatSeconds = heartbeatSeconds };
        return new S3ReportSink(S3ReportLocation.Parse(options.Uri, "reporting.s3.uri"), options, new ImdsOptions(), clock,
            new BasicAWSCredentials(user.AccessKeyId.Reveal(), user.SecretAccessKey.Reveal()));
    }
}
