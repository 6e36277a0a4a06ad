#nullable disable warnings

using System.Text.Json;

using NodeAgent.Cli;
using NodeAgent.IntegrationTests.Containers;
using NodeAgent.IntegrationTests.Fixtures;
using NodeAgent.Sources;

namespace NodeAgent.IntegrationTests.Verify;

/// <summary>
/// `nodeagent verify` and `status` end to end, in-process: real files placed by apply, a real moto_server checking
/// signatures and IAM policies, a real dockerd for the consumers.
/// </summary>
[Collection(MotoServerCollection.Name)]
public sealed class VerifyCommandTests(MotoServerFixture moto)
{
    private static readonly string[] AllActions = ["s3:ListBucket", "s3:GetBucketLocation", "s3:PutObject", "s3:GetObject", "s3:DeleteObject"];

    [DockerFact]
    public async Task Verify_is_all_ok_on_a_host_apply_just_set_up_with_running_consumers()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var (sandbox, user, config) = await PlacedAsync($"[{box.Simulators}, {box.Compute}]", box.Root);
        using var _ = sandbox;
        var dockerEnv = File.ReadAllLines(sandbox.Target("/opt/sensor/docker.env")).Where(l => !l.StartsWith('#')).ToList();
        await box.ComposeServiceAsync(box.Simulators, env: dockerEnv, binds: [$"{box.RootAws}:/root/.aws:ro"]);
        await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws:ro", $"{box.UbuntuAws}:/home/bacalhau/.aws:ro"]);

        var run = await VerifyAsync(sandbox, config);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var lines = run.Output.TrimEnd('\n').Split('\n');
        Assert.Matches(@"^nodeagent verify: ok — 33 ok, 0 failed, 0 skipped in \d+\.\d s$", lines[0]);
        Assert.Contains("ok      identity     sts", lines);
        Assert.Equal(8, lines.Count(l => l.StartsWith("ok      file         ", StringComparison.Ordinal)));
        Assert.Matches(@"(?m)^STATUS +BUCKET +List Loc +Put +Get +Del$", run.Output);
        foreach (var bucket in MotoServerFixture.RoleBuckets)
        {
            Assert.Matches($@"(?m)^ok +{bucket.Role} +{bucket.Name} +ok +ok +ok +ok +ok$", run.Output);
        }

        Assert.Contains($"ok      container    {box.Project}-{box.Simulators}-1", lines);
        Assert.Contains($"ok      container    {box.Project}-{box.Compute}-1", lines);
        // Everything passed: no detail lines, so the whole host is one screen.
        Assert.DoesNotContain(lines, l => l.StartsWith("          ", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.Length <= 120, l));

        var verbose = await VerifyAsync(sandbox, config, "--verbose");
        Assert.Matches(@"(?m)^ok +identity +sts\n {10}account \d{12}", verbose.Output);
        Assert.Matches($@"(?m)^ok +container +{box.Project}-{box.Simulators}-1\n {{10}}sees the current credentials", verbose.Output);
        AssertNoSecretOf(user, verbose);
        AssertNoSecretOf(user, run);
    }

    [Fact]
    public async Task Verify_reports_drifted_mode_and_content_and_probes_the_placed_not_the_source_credentials()
    {
        var (sandbox, user, config) = await PlacedAsync();
        using var _ = sandbox;
        File.SetUnixFileMode(sandbox.Target("/opt/sensor/.env"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var credentials = sandbox.Target("/root/.aws/credentials");
        const string WrongSecret = "WrOnGsEcReTkEyWrOnGsEcReTkEyWrOnGsEcReT0";
        File.WriteAllText(credentials, File.ReadAllText(credentials).Replace(user.SecretAccessKey.Reveal(), WrongSecret, StringComparison.Ordinal));

        var run = await VerifyAsync(sandbox, config, "--read-only");

        Assert.Equal(ExitCodes.ProbeFailed, run.ExitCode);
        Assert.Matches(@"(?m)^FAIL +file +\S+/opt/sensor/\.env\n {10}mode 0644 → 0600", run.Output);
        Assert.Matches(@"(?m)^FAIL +file +\S+/root/\.aws/credentials\n {10}content differs from the sources \(drift\)", run.Output);
        Assert.Matches(@"(?m)^FAIL +identity +sts\n {10}[^\n]*SignatureDoesNotMatch[^\n]*(\n {10}(?!fix: )[^\n]*)*\n {10}fix: the placed credentials differ from the sources: run nodeagent apply", run.Output);
        Assert.DoesNotContain(WrongSecret, run.Output, StringComparison.Ordinal);
        // Read-only: Put, Get and Del are skipped on every bucket.
        foreach (var bucket in MotoServerFixture.RoleBuckets)
        {
            Assert.Matches($@"(?m)^FAIL +{bucket.Role} +{bucket.Name} +\S+ +\S+ +skip +skip +skip$", run.Output);
        }

        AssertNoSecretOf(user, run);
    }

    [Fact]
    public async Task Verify_json_is_valid_against_the_documented_schema_and_status_prints_it_back()
    {
        var (sandbox, user, config) = await PlacedAsync();
        using var _ = sandbox;

        var run = await VerifyAsync(sandbox, config, "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var result = ReportSchema.Evaluate(run.Output);
        Assert.True(result.IsValid, ReportSchema.Describe(result));
        using var doc = JsonDocument.Parse(run.Output);
        Assert.Equal("verify", doc.RootElement.GetProperty("mode").GetString());
        Assert.Equal(1 + 1 + 8 + 1 + 20, doc.RootElement.GetProperty("probes").GetArrayLength());
        AssertNoSecretOf(user, run);

        var status = await sandbox.RunAsync("status", "--config", config, "--root", sandbox.Root);
        Assert.True(status.ExitCode == ExitCodes.Ok, status.ToString());
        Assert.Matches(@"(?m)^last report: \S+/var/lib/nodeagent/last-report\.json\n  made by verify at .*Z, \d+ s ago$", status.Output);
        Assert.Contains("31 ok, 0 failed, 0 skipped", status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_directory_that_cannot_take_the_report_is_a_warning_not_a_failed_verify()
    {
        var (sandbox, user, config) = await PlacedAsync();
        using var _ = sandbox;
        var elsewhere = Directory.CreateTempSubdirectory("nodeagent-elsewhere-").FullName;
        Directory.CreateDirectory(sandbox.Target("/var/lib"));
        Directory.Delete(sandbox.Target("/var/lib/nodeagent"), recursive: true);
        File.CreateSymbolicLink(sandbox.Target("/var/lib/nodeagent"), elsewhere);
        try
        {
            var run = await VerifyAsync(sandbox, config, "--read-only");

            Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
            Assert.Contains("warning: the last report was not written", run.Error, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
            AssertNoSecretOf(user, run);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public async Task Status_without_a_report_says_to_run_verify()
    {
        using var sandbox = new Sandbox();
        var run = await sandbox.RunAsync("status", "--root", sandbox.Root);
        Assert.Equal(ExitCodes.ProbeFailed, run.ExitCode);
        Assert.Contains("no report yet", run.Error, StringComparison.Ordinal);
        Assert.Contains("run: nodeagent verify", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_with_invalid_sources_exits_2_and_still_leaves_a_failed_report_for_status()
    {
        using var sandbox = new Sandbox();
        File.WriteAllText(Path.Combine(sandbox.Sources, "expanso-s3-credentials"), "[default]\naws_access_key_id = CHANGEME\n");
        var run = await sandbox.RunAsync("verify", "--root", sandbox.Root, "--sources", sandbox.Sources, "--json");
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("problem(s) in the sources", run.Error, StringComparison.Ordinal);
        var validation = ReportSchema.Evaluate(run.Output);
        Assert.True(validation.IsValid, ReportSchema.Describe(validation));
        using var doc = JsonDocument.Parse(run.Output);
        Assert.Equal("failed", doc.RootElement.GetProperty("status").GetString());
        Assert.Contains(doc.RootElement.GetProperty("probes").EnumerateArray(),
            p => p.GetProperty("probe").GetString() == "sources" && p.GetProperty("target").GetString()!.EndsWith("expanso-s3-credentials:2", StringComparison.Ordinal));

        var status = await sandbox.RunAsync("status", "--root", sandbox.Root);
        Assert.Equal(ExitCodes.ProbeFailed, status.ExitCode);
        Assert.Matches(@"(?m)^FAIL +sources +\S+expanso-s3-credentials:2$", status.Output);
    }

    [Fact]
    public async Task A_symlinked_target_is_a_failed_file_row_not_a_crash()
    {
        var (sandbox, user, config) = await PlacedAsync();
        using var _ = sandbox;
        var target = sandbox.Target("/opt/sensor/docker.env");
        File.Delete(target);
        File.CreateSymbolicLink(target, "/etc/hostname");

        var run = await VerifyAsync(sandbox, config, "--read-only");

        Assert.Equal(ExitCodes.ProbeFailed, run.ExitCode);
        Assert.Matches(@"(?m)^FAIL +file +\S+/opt/sensor/docker\.env$", run.Output);
        AssertNoSecretOf(user, run);
    }

    private static Task<CliRun> VerifyAsync(Sandbox sandbox, string config, params string[] extra) =>
        sandbox.RunAsync(["verify", "--config", config, "--root", sandbox.Root, "--sources", sandbox.Sources, .. extra]);

    private static void AssertNoSecretOf(AwsCredentials user, CliRun run)
    {
        foreach (var text in new[] { run.Output, run.Error })
        {
            Assert.DoesNotContain(user.SecretAccessKey.Reveal(), text, StringComparison.Ordinal);
            Assert.DoesNotContain(user.AccessKeyId.Reveal(), text, StringComparison.Ordinal);
        }
    }

    private async Task<(Sandbox Sandbox, AwsCredentials User, string Config)> PlacedAsync(string containers = "[]", string root = null)
    {
        var user = await moto.CreateUserAsync(AllActions, MotoServerFixture.RoleBuckets.Select(b => b.Name));
        var sandbox = new Sandbox(root);
        sandbox.WriteSources(user.AccessKeyId.Reveal(), user.SecretAccessKey.Reveal(), MotoServerFixture.Region,
            MotoServerFixture.RoleBuckets.Select(b => b.Name).ToList());
        var config = sandbox.WriteConfig($"s3:\n  endpoint: {moto.Endpoint}\nsts:\n  endpoint: {moto.Endpoint}\ncontainers:\n  names: {containers}\n");
        var applied = await sandbox.RunAsync("apply", "--config", config, "--root", sandbox.Root, "--sources", sandbox.Sources, "--no-restart");
        Assert.True(applied.ExitCode == ExitCodes.Ok, applied.ToString());
        return (sandbox, user, config);
    }
}
