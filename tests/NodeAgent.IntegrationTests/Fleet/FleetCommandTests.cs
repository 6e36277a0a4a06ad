using System.Text.Json;

using Amazon.S3.Model;

using NodeAgent.Cli;
using NodeAgent.IntegrationTests.Fixtures;
using NodeAgent.Reporting;

using Xunit.Abstractions;

namespace NodeAgent.IntegrationTests.Fleet;

/// <summary>
/// `nodeagent fleet` as its own process over reports written to moto_server with a plain S3 client: 1,000 hosts
/// half-way through a rotation, some failed, some stale, one foreign object; and `verify` publishing through the real
/// wiring (reporting.s3.uri, the agent's own identity from its environment).
/// </summary>
[Collection(MotoServerCollection.Name)]
public sealed class FleetCommandTests(MotoServerFixture moto, ITestOutputHelper log)
{
    private const string OldKey = "AKIAOLDKEYFLEET00001";
    private const string NewKey = "AKIANEWKEYFLEET00002";

    [Fact]
    public async Task Fleet_over_1000_reports_shows_the_counts_the_key_census_and_each_failing_or_stale_host()
    {
        using var bucket = await ReportsBucket.CreateAsync(moto);
        var now = DateTimeOffset.UtcNow;
        // 1,000 hosts: 700 on the new key, 300 still on the old one; 7 failed, 4 stale (2 h old), one both: 990 ok.
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var host = $"i-{i:x17}";
            var at = i is 10 or 20 or 30 or 40 ? now.AddHours(-2) : now.AddMinutes(-1);
            var report = ReportsBucket.Sample(host, at, i < 700 ? NewKey : OldKey, failed: i is 5 or 15 or 25 or 35 or 45 or 55 or 40);
            await bucket.Admin.PutObjectAsync(new PutObjectRequest { BucketName = bucket.Name, Key = $"prod/{host}.json", ContentBody = ReportJson.Serialize(report) }, ct);
        });
        await bucket.Admin.PutObjectAsync(new PutObjectRequest { BucketName = bucket.Name, Key = "prod/notes.txt", ContentBody = "\e]52;c;aGk=\a not a report" });
        await bucket.Admin.PutObjectAsync(new PutObjectRequest { BucketName = bucket.Name, Key = "prod/older/ignored.json", ContentBody = "{}" });
        var reader = await moto.CreateUserAsync(["s3:ListBucket", "s3:GetObject"], [bucket.Name]);

        var run = await AgentProcess.RunAsync(moto, reader, "fleet", "--reports", $"s3://{bucket.Name}/prod/", "--stale-after", "30m");
        log.WriteLine(run.Output);
        log.WriteLine(run.Error);

        Assert.True(run.ExitCode == ExitCodes.ProbeFailed, run.ToString());
        Assert.Contains("nodeagent fleet: ATTENTION — 1001 hosts: 990 ok, 7 failed, 4 stale (no report for 30 min), 1 unreadable", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^AKIA…0002 +700$", run.Output);
        Assert.Matches(@"(?m)^AKIA…0001 +300$", run.Output);
        Assert.Contains("more than one key in use", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^FAILED +i-0000000000000000f +", run.Output);
        Assert.Matches(@"(?m)^STALE +i-0000000000000000a +", run.Output);
        Assert.Matches(@"(?m)^STALE, FAILED +i-00000000000000028 +", run.Output);
        Assert.Matches(@"(?m)^UNREADABLE +notes\.txt +-$", run.Output);
        Assert.Contains("s3 raw:expanso-raw:s3:PutObject: AccessDenied: PutObject was refused", run.Output, StringComparison.Ordinal);
        Assert.Contains("fix: grant s3:PutObject on arn:aws:s3:::expanso-raw/*", run.Output, StringComparison.Ordinal);
        Assert.Contains("no report for 2 h", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\e", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(OldKey, run.Output, StringComparison.Ordinal);
        Assert.All(run.Output.Split('\n'), line => Assert.True(line.Length <= 120, line));
        Assert.Equal(7 + 4 - 1 + 1, run.Output.Split('\n').Count(l => l.StartsWith("FAILED ", StringComparison.Ordinal) || l.StartsWith("STALE", StringComparison.Ordinal) || l.StartsWith("UNREADABLE", StringComparison.Ordinal)));

        var json = await AgentProcess.RunAsync(moto, reader, "fleet", "--reports", $"s3://{bucket.Name}/prod/", "--json");
        Assert.Equal(ExitCodes.ProbeFailed, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Output);
        Assert.Equal(1001, doc.RootElement.GetProperty("hosts").GetInt32());
        Assert.Equal(7, doc.RootElement.GetProperty("failed").GetInt32());
        Assert.Equal(4, doc.RootElement.GetProperty("stale").GetInt32());
        Assert.Equal(2, doc.RootElement.GetProperty("accessKeys").GetArrayLength());
        Assert.Equal(11, doc.RootElement.GetProperty("attention").GetArrayLength());
    }

    [Fact]
    public async Task Fleet_all_ok_exits_0_and_a_denied_reader_exits_7_with_one_line()
    {
        using var bucket = await ReportsBucket.CreateAsync(moto);
        foreach (var host in new[] { "web-1", "web-2" })
        {
            var body = ReportJson.Serialize(ReportsBucket.Sample(host, DateTimeOffset.UtcNow, NewKey));
            await bucket.Admin.PutObjectAsync(new PutObjectRequest { BucketName = bucket.Name, Key = $"fleet/{host}.json", ContentBody = body });
        }

        var reader = await moto.CreateUserAsync(["s3:ListBucket", "s3:GetObject"], [bucket.Name]);
        var ok = await AgentProcess.RunAsync(moto, reader, "fleet", "--reports", $"s3://{bucket.Name}/fleet/");
        Assert.True(ok.ExitCode == ExitCodes.Ok, ok.ToString());
        Assert.Contains("nodeagent fleet: ok — 2 hosts: 2 ok, 0 failed, 0 stale", ok.Output, StringComparison.Ordinal);

        var denied = await moto.CreateUserAsync(["s3:GetObject"], [bucket.Name]);
        var refused = await AgentProcess.RunAsync(moto, denied, "fleet", "--reports", $"s3://{bucket.Name}/fleet/");
        Assert.True(refused.ExitCode == ExitCodes.ReportsUnreachable, refused.ToString());
        Assert.Single(refused.Error.Trim().Split('\n'));
        Assert.Contains("listing was denied (AccessDenied)", refused.Error, StringComparison.Ordinal);
        Assert.Contains("s3:ListBucket", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_publishes_its_report_with_the_agents_own_identity_and_a_failed_publish_is_only_a_warning()
    {
        using var bucket = await ReportsBucket.CreateAsync(moto);
        var keys = await moto.CreateUserAsync(["s3:ListBucket", "s3:GetBucketLocation", "s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
            MotoServerFixture.RoleBuckets.Select(b => b.Name));
        var agent = await moto.CreateUserAsync(["s3:PutObject"], [bucket.Name]);
        using var sandbox = new Sandbox();
        sandbox.WriteSources(keys.AccessKeyId.Reveal(), keys.SecretAccessKey.Reveal(), MotoServerFixture.Region, MotoServerFixture.RoleBuckets.Select(b => b.Name).ToList());
        var config = sandbox.WriteConfig($"s3:\n  endpoint: {moto.Endpoint}\nsts:\n  endpoint: {moto.Endpoint}\ncontainers:\n  names: []\n" +
            $"reporting:\n  s3:\n    uri: s3://{bucket.Name}/hosts/\n");
        var apply = await sandbox.RunAsync("apply", "--config", config, "--root", sandbox.Root, "--sources", sandbox.Sources, "--no-restart");
        Assert.Contains("was not sent to", apply.Error, StringComparison.Ordinal); // the test host has no identity of its own

        var verify = await AgentProcess.RunAsync(moto, agent, "verify", "--config", config, "--root", sandbox.Root, "--sources", sandbox.Sources, "--read-only");
        Assert.True(verify.ExitCode == ExitCodes.Ok, verify.ToString());
        Assert.DoesNotContain("warning", verify.Error, StringComparison.Ordinal);
        var published = await bucket.ReadAsync($"hosts/{NodeAgent.Probes.ProbeHostName.Current()}.json");
        Assert.NotNull(published);
        var report = ReportJson.Deserialize(published!)!;
        Assert.Equal(ReportMode.Verify, report.Mode);
        Assert.Contains(report.Probes, p => p.Probe == "identity" && p.Detail.Contains("(key AKIA…", StringComparison.Ordinal));
        Assert.DoesNotContain(keys.SecretAccessKey.Reveal(), published, StringComparison.Ordinal);
        Assert.DoesNotContain(keys.AccessKeyId.Reveal(), published, StringComparison.Ordinal);

        // The agent's identity may not write there: verify still passes, with a warning naming the fix.
        var denied = await moto.CreateUserAsync(["s3:GetObject"], [bucket.Name]);
        var warned = await AgentProcess.RunAsync(moto, denied, "verify", "--config", config, "--root", sandbox.Root, "--sources", sandbox.Sources, "--read-only");
        Assert.True(warned.ExitCode == ExitCodes.Ok, warned.ToString());
        Assert.Contains($"warning: the report was not sent to s3://{bucket.Name}/hosts/<host-id>.json", warned.Error, StringComparison.Ordinal);
        Assert.Contains("PutObject denied (AccessDenied)", warned.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reports_uri_inside_a_data_bucket_fails_verify_with_a_config_row_naming_the_setting()
    {
        var keys = await moto.CreateUserAsync(["s3:ListBucket", "s3:GetBucketLocation"], MotoServerFixture.RoleBuckets.Select(b => b.Name));
        using var sandbox = new Sandbox();
        sandbox.WriteSources(keys.AccessKeyId.Reveal(), keys.SecretAccessKey.Reveal(), MotoServerFixture.Region, MotoServerFixture.RoleBuckets.Select(b => b.Name).ToList());
        var config = sandbox.WriteConfig($"s3:\n  endpoint: {moto.Endpoint}\nsts:\n  endpoint: {moto.Endpoint}\ncontainers:\n  names: []\n" +
            $"reporting:\n  s3:\n    uri: s3://{MotoServerFixture.RoleBuckets[0].Name}/reports/\n    endpoint: {moto.Endpoint}\n");

        var verify = await sandbox.RunAsync("verify", "--config", config, "--root", sandbox.Root, "--sources", sandbox.Sources, "--read-only");

        Assert.True(verify.ExitCode == ExitCodes.ProbeFailed, verify.ToString());
        Assert.Matches(@"(?m)^FAIL +config +reporting\.s3\.uri$", verify.Output);
        Assert.Contains("raw data bucket, which Databricks ingests", verify.Output, StringComparison.Ordinal);
        Assert.Contains("fix: set reporting.s3.uri to a bucket of its own", verify.Output, StringComparison.Ordinal);
        using var admin = ReportsBucket.Client(moto, moto.Admin);
        var listed = await admin.ListObjectsV2Async(new() { BucketName = MotoServerFixture.RoleBuckets[0].Name, Prefix = "reports/" });
        Assert.Empty(listed.S3Objects ?? []);
    }
}
