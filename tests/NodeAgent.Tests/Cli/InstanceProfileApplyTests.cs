using System.Text.Json;

using NodeAgent.Cli;

namespace NodeAgent.Tests.Cli;

/// <summary>
/// credentials.mode: which mode auto picks and why, and that an instance-profile host gets no key anywhere: stale
/// files of a static deployment are removed through the secure writer, and the removal is in the plan.
/// The IMDS side (probes with the role's keys) is in the integration tests, against an in-test IMDSv2 responder.
/// </summary>
public sealed class InstanceProfileApplyTests
{
    private static readonly string[] KeylessTargets =
    [
        "/root/.aws/config", "/home/ubuntu/.aws/config", "/opt/sensor/config/s3-config.json",
        "/opt/sensor/config/databricks-storage-config.yaml", "/opt/sensor/.env", "/opt/sensor/docker.env",
    ];

    private static readonly string[] CredentialFiles = ["/root/.aws/credentials", "/home/ubuntu/.aws/credentials"];

    [Fact]
    public async Task Auto_picks_static_when_a_source_holds_keys_and_says_why()
    {
        using var sandbox = new Sandbox();
        var run = await sandbox.ApplyAsync("--dry-run");
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("credentials: static (credentials.mode is auto and ", run.Output, StringComparison.Ordinal);
        Assert.Contains("holds keys)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_picks_the_instance_profile_for_keyless_sources_and_writes_no_key_anywhere()
    {
        using var sandbox = new Sandbox();
        sandbox.WriteKeylessSources();
        var dryRun = await sandbox.ApplyAsync("--dry-run");
        Assert.True(dryRun.ExitCode == ExitCodes.Ok, dryRun.ToString());
        Assert.Contains("credentials: instance-profile (credentials.mode is auto and no source file holds keys)", dryRun.Output, StringComparison.Ordinal);

        var run = await sandbox.ApplyAsync();
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("6 file(s) written, 2 unchanged.", run.Output, StringComparison.Ordinal);
        foreach (var path in CredentialFiles)
        {
            Assert.False(File.Exists(sandbox.Target(path)), path);
        }

        foreach (var target in KeylessTargets)
        {
            var text = File.ReadAllText(sandbox.Target(target));
            foreach (var keyName in new[] { "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AKIA", "ASIA" })
            {
                Assert.DoesNotContain(keyName, text, StringComparison.Ordinal);
            }
        }

        Assert.Contains("region = us-west-2", File.ReadAllText(sandbox.Target("/root/.aws/config")), StringComparison.Ordinal);
        var env = File.ReadAllText(sandbox.Target("/opt/sensor/docker.env"));
        Assert.Contains("AWS_REGION=us-west-2\n", env, StringComparison.Ordinal);
        Assert.Contains("S3_BUCKET_RAW=expanso-databricks-raw-us-west-2\n", env, StringComparison.Ordinal);
        Assert.DoesNotContain("AWS_PROFILE", env, StringComparison.Ordinal);
        Assert.Contains("    source: \"instance_profile\"\n", File.ReadAllText(sandbox.Target("/opt/sensor/config/databricks-storage-config.yaml")), StringComparison.Ordinal);

        using var json = JsonDocument.Parse(File.ReadAllText(sandbox.Target("/opt/sensor/config/s3-config.json")));
        Assert.Equal(["region", "s3_configuration"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("expanso-databricks-emergency-us-west-2", json.RootElement.GetProperty("s3_configuration").GetProperty("buckets").GetProperty("emergency").GetString());
    }

    [Fact]
    public async Task A_static_deployments_credentials_files_are_removed_said_in_the_plan_and_masked_in_the_diff()
    {
        using var sandbox = new Sandbox();
        Assert.Equal(ExitCodes.Ok, (await sandbox.ApplyAsync()).ExitCode);
        sandbox.WriteKeylessSources();
        // No AWS here to prove the instance role against: the proof of the switch is the integration tests' job.
        var config = sandbox.WriteConfig("rotation:\n  verify_before_swap: false\n");

        var dryRun = await sandbox.ApplyAsync("--config", config, "--dry-run", "--diff");
        Assert.True(dryRun.ExitCode == ExitCodes.Ok, dryRun.ToString());
        Assert.Contains($"would remove {sandbox.Target("/root/.aws/credentials")}", Squeeze(dryRun.Output), StringComparison.Ordinal);
        Assert.Contains("left by a static deployment: its keys would win over the instance profile in every SDK", dryRun.Output, StringComparison.Ordinal);
        Assert.Contains("+++ /dev/null", dryRun.Output, StringComparison.Ordinal);
        Assert.Contains("-aws_secret_access_key = ****", dryRun.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(sandbox.Target("/root/.aws/credentials")));

        var run = await sandbox.ApplyAsync("--config", config);
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("4 file(s) written, 2 removed, 2 unchanged.", run.Output, StringComparison.Ordinal);
        foreach (var path in CredentialFiles)
        {
            Assert.False(File.Exists(sandbox.Target(path)), path);
        }

        Assert.DoesNotContain(TestData.KeyId, File.ReadAllText(sandbox.Target("/opt/sensor/docker.env")), StringComparison.Ordinal);

        // The previous set, removed files included, is in the backups: a wrong switch can be undone by hand.
        var manifest = File.ReadAllText(sandbox.Target("/var/lib/nodeagent/previous/manifest.json"));
        Assert.Contains(sandbox.Target("/root/.aws/credentials"), manifest, StringComparison.Ordinal);

        var again = await sandbox.ApplyAsync("--config", config);
        Assert.Contains("0 file(s) written, 8 unchanged.", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_reports_a_credentials_file_that_reappeared_on_an_instance_profile_host()
    {
        using var sandbox = new Sandbox();
        sandbox.WriteKeylessSources();
        Assert.Equal(ExitCodes.Ok, (await sandbox.ApplyAsync()).ExitCode);
        var planted = sandbox.Target("/root/.aws/credentials");
        File.WriteAllText(planted, $"[default]\naws_access_key_id = {TestData.KeyId}\naws_secret_access_key = {TestData.SecretKey}\n");
        File.SetUnixFileMode(planted, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var config = sandbox.WriteConfig("imds:\n  endpoint: http://127.0.0.1:9\ncontainers:\n  names: []\nprobes:\n  timeout_seconds: 1\n");

        var verify = await sandbox.RunAsync("verify", "--config", config, "--root", sandbox.Root, "--sources", sandbox.Sources, "--json");
        using var report = JsonDocument.Parse(verify.Output);
        var row = report.RootElement.GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("target").GetString() == planted);
        Assert.Equal("failed", row.GetProperty("status").GetString());
        Assert.Contains("the keys in it win over the role", row.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var mode = report.RootElement.GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("probe").GetString() == "credentials");
        Assert.Equal("instance-profile", mode.GetProperty("target").GetString());
    }

    [Fact]
    public async Task Instance_profile_mode_refuses_sources_that_hold_keys_naming_the_line()
    {
        using var sandbox = new Sandbox();
        var config = sandbox.WriteConfig("credentials:\n  mode: instance-profile\n");
        var run = await sandbox.ApplyAsync("--config", config);
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("expanso-s3-credentials:2: aws_access_key_id is set, but credentials.mode is instance-profile", run.Error, StringComparison.Ordinal);
        Assert.Contains("set credentials.mode: static (or auto)", run.Error, StringComparison.Ordinal);
        Assert.Empty(sandbox.Snapshot()); // only the failed report, in the state directory
    }

    [Fact]
    public async Task Static_mode_still_requires_keys()
    {
        using var sandbox = new Sandbox();
        sandbox.WriteKeylessSources();
        var config = sandbox.WriteConfig("credentials:\n  mode: static\n");
        var run = await sandbox.ApplyAsync("--config", config);
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("no source file holds the AWS access key", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_named_profile_is_written_everywhere_a_consumer_looks_for_it()
    {
        using var sandbox = new Sandbox();
        var config = sandbox.WriteConfig("profile: databricks\n");
        var run = await sandbox.ApplyAsync("--config", config);
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.StartsWith("[databricks]\n", File.ReadAllText(sandbox.Target("/root/.aws/credentials")).Split('\n', 2)[1], StringComparison.Ordinal);
        Assert.Contains("[profile databricks]\nregion = us-west-2\n", File.ReadAllText(sandbox.Target("/root/.aws/config")), StringComparison.Ordinal);
        Assert.Contains("AWS_PROFILE=databricks\n", File.ReadAllText(sandbox.Target("/opt/sensor/.env")), StringComparison.Ordinal);
        Assert.Contains("AWS_PROFILE=databricks\n", File.ReadAllText(sandbox.Target("/opt/sensor/docker.env")), StringComparison.Ordinal);
        Assert.Contains("    profile: \"databricks\"\n", File.ReadAllText(sandbox.Target("/opt/sensor/config/databricks-storage-config.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_instance_profile_host_without_a_credentials_file_is_no_key_change_on_the_next_cycle()
    {
        // FirstPlacement here would count as a key change on every daemon cycle, and so a full probe run with S3 writes.
        using var sandbox = new Sandbox();
        sandbox.WriteKeylessSources();
        Assert.Equal(ExitCodes.Ok, (await sandbox.ApplyAsync()).ExitCode);
        var context = Pipeline.AgentContext.Create(null, sandbox.Root, sandbox.Sources);

        var result = await new Pipeline.Reconciler(Pipeline.AgentServices.Create(context)).RunAsync(
            new Pipeline.ReconcileRequest(NodeAgent.Reporting.ReportMode.Apply) { Restart = false }, CancellationToken.None);

        Assert.Null(result.Failure);
        Assert.Equal(Pipeline.RotationVerdict.NoChange, result.Rotation!.Verdict);
        Assert.False(result.Rotation.ChangesKeys);
    }

    [Fact]
    public async Task A_named_profile_that_the_sources_also_set_is_written_once_and_verify_does_not_crash()
    {
        using var sandbox = new Sandbox();
        File.AppendAllText(Path.Combine(sandbox.Sources, "expanso-production.env"), "AWS_PROFILE=databricks\n");
        var config = sandbox.WriteConfig("profile: databricks\ncontainers:\n  names: []\nprobes:\n  timeout_seconds: 1\n");

        var run = await sandbox.ApplyAsync("--config", config);
        var verify = await sandbox.RunAsync("verify", "--config", config, "--root", sandbox.Root, "--sources", sandbox.Sources);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        foreach (var target in new[] { "/opt/sensor/.env", "/opt/sensor/docker.env" })
        {
            Assert.Single(File.ReadAllLines(sandbox.Target(target)), l => l.StartsWith("AWS_PROFILE=", StringComparison.Ordinal));
        }

        Assert.DoesNotContain("internal error", verify.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_named_profile_on_the_instance_profile_keeps_the_region_in_default_where_every_SDK_finds_it()
    {
        using var sandbox = new Sandbox();
        sandbox.WriteKeylessSources();
        var config = sandbox.WriteConfig("profile: databricks\n");
        Assert.Equal(ExitCodes.Ok, (await sandbox.ApplyAsync("--config", config)).ExitCode);
        Assert.EndsWith("[default]\nregion = us-west-2\noutput = json\n", File.ReadAllText(sandbox.Target("/root/.aws/config")), StringComparison.Ordinal);
        Assert.DoesNotContain("AWS_PROFILE", File.ReadAllText(sandbox.Target("/opt/sensor/.env")), StringComparison.Ordinal);
    }

    private static string Squeeze(string text) => string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
