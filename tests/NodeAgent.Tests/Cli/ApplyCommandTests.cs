using System.Text.Json;

using NodeAgent.Cli;
using NodeAgent.Tests.FileSystem;

namespace NodeAgent.Tests.Cli;

public sealed class ApplyCommandTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly string[] AllTargets =
    [
        "/root/.aws/credentials", "/root/.aws/config", "/home/ubuntu/.aws/credentials", "/home/ubuntu/.aws/config",
        "/opt/sensor/config/s3-config.json", "/opt/sensor/config/databricks-storage-config.yaml", "/opt/sensor/.env", "/opt/sensor/docker.env",
    ];

    [Fact]
    public async Task Apply_places_every_target_with_its_mode()
    {
        using var sandbox = new Sandbox();
        var run = await sandbox.ApplyAsync();
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        foreach (var target in AllTargets)
        {
            var path = sandbox.Target(target);
            Assert.True(File.Exists(path), target);
            var expected = target.EndsWith(".yaml", StringComparison.Ordinal) ? Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead : Private;
            Assert.Equal(expected, File.GetUnixFileMode(path));
        }

        Assert.Contains(TestData.SecretKey, File.ReadAllText(sandbox.Target("/root/.aws/credentials")), StringComparison.Ordinal);
        Assert.Contains("8 file(s) written, 0 unchanged.", run.Output, StringComparison.Ordinal);
        Assert.Contains("AKIA…G001", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Second_apply_writes_nothing_and_keeps_mtimes()
    {
        using var sandbox = new Sandbox();
        Assert.Equal(ExitCodes.Ok, (await sandbox.ApplyAsync()).ExitCode);
        var before = sandbox.Snapshot();
        var second = await sandbox.ApplyAsync();
        Assert.Equal(ExitCodes.Ok, second.ExitCode);
        Assert.Contains("0 file(s) written, 8 unchanged.", second.Output, StringComparison.Ordinal);
        Assert.Equal(before, sandbox.Snapshot());
    }

    [Fact]
    public async Task Dry_run_writes_nothing_and_says_what_would_change()
    {
        using var sandbox = new Sandbox();
        var run = await sandbox.ApplyAsync("--dry-run");
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Empty(Directory.EnumerateFiles(sandbox.Root, "*", SearchOption.AllDirectories));
        Assert.Contains("would create", run.Output, StringComparison.Ordinal);
        Assert.Contains("8 file(s) would change", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotation_diff_masks_old_and_new_secrets()
    {
        using var sandbox = new Sandbox();
        Assert.Equal(ExitCodes.Ok, (await sandbox.ApplyAsync()).ExitCode);
        const string newKey = "AKIAROTATEDNODEAG099";
        const string newSecret = "RoTaTeDsEcReTkEyRoTaTeDsEcReTkEy01234567";
        sandbox.WriteSources(newKey, newSecret);
        var run = await sandbox.ApplyAsync("--dry-run", "--diff");
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.DoesNotContain(newKey, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(newSecret, run.Output, StringComparison.Ordinal);
        Assert.Contains("-aws_access_key_id = AKIA…G001", run.Output, StringComparison.Ordinal);
        Assert.Contains("+aws_access_key_id = AKIA…G099", run.Output, StringComparison.Ordinal);
        Assert.Contains("+aws_secret_access_key = ****…4567", run.Output, StringComparison.Ordinal);
        Assert.Contains("would update", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(newSecret, File.ReadAllText(sandbox.Target("/root/.aws/credentials")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mode_drift_is_repaired_with_the_reason()
    {
        using var sandbox = new Sandbox();
        await sandbox.ApplyAsync();
        var env = sandbox.Target("/opt/sensor/.env");
        File.SetUnixFileMode(env, Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var run = await sandbox.ApplyAsync();
        Assert.Contains("mode 0644 → 0600", run.Output, StringComparison.Ordinal);
        Assert.Equal(Private, File.GetUnixFileMode(env));
    }

    [Fact]
    public async Task Invalid_sources_exit_2_and_leave_good_targets_untouched()
    {
        using var sandbox = new Sandbox();
        await sandbox.ApplyAsync();
        var before = sandbox.Snapshot();
        File.WriteAllText(Path.Combine(sandbox.Sources, "expanso-production.env"), "AWS_ACCESS_KEY_ID=YOUR_ACCESS_KEY_ID\n");
        var run = await sandbox.ApplyAsync();
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("expanso-production.env:1:", run.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was written", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, sandbox.Snapshot());
    }

    [Fact]
    public async Task Apply_refuses_to_follow_a_symlink_planted_in_home_aws()
    {
        using var sandbox = new Sandbox();
        var victim = Path.Combine(sandbox.Root, "victim");
        Directory.CreateDirectory(victim);
        Directory.CreateDirectory(sandbox.Target("/home/ubuntu"));
        File.CreateSymbolicLink(sandbox.Target("/home/ubuntu/.aws"), victim);
        var run = await sandbox.ApplyAsync();
        Assert.Equal(ExitCodes.WriteFailed, run.ExitCode);
        Assert.Contains("/home/ubuntu/.aws", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(victim));
        Assert.False(File.Exists(sandbox.Target("/home/ubuntu/.aws/credentials")), "the refused home's pair is not written");
        Assert.True(File.Exists(sandbox.Target("/root/.aws/credentials")), "every other failure domain still rotates (issue 9, break 4)");
    }

    [Fact]
    public async Task Json_output_is_a_schema_valid_report_with_every_file_as_a_step()
    {
        using var sandbox = new Sandbox();
        var run = await sandbox.ApplyAsync("--json", "--diff");
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var validation = ReportSchema.Evaluate(run.Output);
        Assert.True(validation.IsValid, ReportSchema.Describe(validation));
        using var doc = JsonDocument.Parse(run.Output);
        Assert.Equal("apply", doc.RootElement.GetProperty("mode").GetString());
        var files = doc.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(8, files.Count);
        Assert.All(files, f => Assert.Equal("changed", f.GetProperty("status").GetString()));
        Assert.StartsWith("created: new file; 0600 root", files[0].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("+aws_secret_access_key = ****…", files[0].GetProperty("diff").GetString(), StringComparison.Ordinal);

        var dry = await sandbox.ApplyAsync("--json", "--dry-run");
        using var dryDoc = JsonDocument.Parse(dry.Output);
        Assert.Equal("dry_run", dryDoc.RootElement.GetProperty("mode").GetString());
        Assert.All(dryDoc.RootElement.GetProperty("files").EnumerateArray(), f => Assert.Equal("ok", f.GetProperty("status").GetString()));
    }

    [RootFact]
    public async Task Root_in_a_sandbox_gives_each_file_to_its_configured_user()
    {
        var user = TestUser.Ensure();
        using var sandbox = new Sandbox();
        var config = sandbox.WriteConfig($"""
            targets:
              aws_homes:
                - user: root
                  home: /root
                - user: {user.Name}
                  home: /home/{user.Name}
              dotenv: {"{"} path: /opt/sensor/.env, owner: {user.Name}, mode: "0600" {"}"}
            """);
        var run = await sandbox.RunAsync("apply", "--config", config, "--root", sandbox.Root, "--sources", sandbox.Sources, "--no-restart");
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal(user.Uid, OnDisk.Stat(sandbox.Target($"/home/{user.Name}/.aws/credentials")).Uid);
        Assert.Equal(user.Uid, OnDisk.Stat(sandbox.Target($"/home/{user.Name}/.aws")).Uid);
        Assert.Equal(user.Uid, OnDisk.Stat(sandbox.Target("/opt/sensor/.env")).Uid);
        Assert.Equal(0u, OnDisk.Stat(sandbox.Target("/root/.aws/credentials")).Uid);
        Assert.DoesNotContain($"owner {user.Name} not applied", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sandbox_without_the_configured_user_says_ownership_was_not_applied()
    {
        using var sandbox = new Sandbox();
        var run = await sandbox.ApplyAsync();
        Assert.Contains("owner ubuntu not applied", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_mode_with_a_missing_user_is_an_error_naming_user_and_key()
    {
        using var sandbox = new Sandbox();
        var config = Path.Combine(sandbox.Sources, "..", Path.GetFileName(sandbox.Root) + ".yaml");
        File.WriteAllText(config, $"""
            targets:
              aws_homes:
                - user: nodeagent-no-such-user
                  home: {sandbox.Root}/home/ghost
              s3_config: {"{"} path: {sandbox.Root}/s3.json, owner: root {"}"}
              storage_config: {"{"} path: {sandbox.Root}/storage.yaml, owner: root {"}"}
              dotenv: {"{"} path: {sandbox.Root}/.env, owner: root {"}"}
              docker_env: {"{"} path: {sandbox.Root}/docker.env, owner: root {"}"}
            state_directory: {sandbox.Root}/state
            """);
        try
        {
            var run = await sandbox.RunAsync("apply", "--config", config, "--sources", sandbox.Sources, "--no-restart");
            Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
            Assert.Contains("user \"nodeagent-no-such-user\" (targets.aws_homes[0].user) does not exist", run.Error, StringComparison.Ordinal);
            // No target is written; the failed run's report is, so `status` does not keep showing an older healthy one.
            Assert.Equal([Path.Combine(sandbox.Root, "state")], Directory.EnumerateFileSystemEntries(sandbox.Root));
            Assert.Equal([Path.Combine(sandbox.Root, "state", "last-report.json")], Directory.EnumerateFileSystemEntries(Path.Combine(sandbox.Root, "state")));
            Assert.Contains("\"status\": \"failed\"", File.ReadAllText(Path.Combine(sandbox.Root, "state", "last-report.json")), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("apply", "--bogus")]
    [InlineData("apply", "--root")]
    [InlineData("verify", "--timeout", "abc")]
    [InlineData("verify", "--timeout", "0")]
    public async Task Usage_errors_exit_2_not_the_probe_failure_code(params string[] args)
    {
        using var sandbox = new Sandbox();
        var run = await sandbox.RunAsync(args);
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("usage: nodeagent", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_root_is_refused_rather_than_meaning_the_real_host()
    {
        using var sandbox = new Sandbox();
        var run = await sandbox.RunAsync("apply", "--root", "", "--sources", sandbox.Sources, "--dry-run");
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("--root is empty", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_hides_passed_through_values_the_agent_cannot_judge()
    {
        using var sandbox = new Sandbox();
        File.AppendAllText(Path.Combine(sandbox.Sources, "expanso-production.env"),
            "DATABRICKS_HOST_TOKENLESS=adb-1234567890123456.7.azuredatabricks.net\nDB_URL=postgres://u:pa55word-pa55word@h/db\n");
        var run = await sandbox.ApplyAsync("--dry-run", "--diff");
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.DoesNotContain("pa55word", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("adb-1234567890123456", run.Output, StringComparison.Ordinal);
        Assert.Contains("+DB_URL=****…h/db", run.Output, StringComparison.Ordinal);
        Assert.Contains("+S3_BUCKET_RAW=expanso-databricks-raw-us-west-2", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_apply_waits_for_the_lock_and_gives_up_with_exit_5_writing_nothing()
    {
        using var sandbox = new Sandbox();
        Directory.CreateDirectory(sandbox.Target("/var/lib/nodeagent"));
        var held = new FileStream(sandbox.Target("/var/lib/nodeagent/apply.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        try
        {
            var blocked = await sandbox.ApplyAsync("--wait", "0");
            Assert.Equal(ExitCodes.Busy, blocked.ExitCode);
            Assert.Contains("another nodeagent apply holds", blocked.Error, StringComparison.Ordinal);
            Assert.Contains("nothing was written", blocked.Error, StringComparison.Ordinal);
            Assert.False(File.Exists(sandbox.Target("/root/.aws/credentials")));

            var dryRun = await sandbox.ApplyAsync("--dry-run", "--wait", "0");
            Assert.Equal(ExitCodes.Ok, dryRun.ExitCode);
        }
        finally
        {
            held.Dispose();
        }

        var after = await sandbox.ApplyAsync("--wait", "0");
        Assert.Equal(ExitCodes.Ok, after.ExitCode);
    }

    [Fact]
    public async Task A_symlink_planted_at_the_lock_file_is_refused_and_nothing_is_written()
    {
        using var sandbox = new Sandbox();
        Directory.CreateDirectory(sandbox.Target("/var/lib/nodeagent"));
        var victim = Path.Combine(sandbox.Root, "victim");
        File.WriteAllText(victim, "keep");
        File.CreateSymbolicLink(sandbox.Target("/var/lib/nodeagent/apply.lock"), victim);

        var run = await sandbox.ApplyAsync("--wait", "0");

        Assert.Equal(ExitCodes.WriteFailed, run.ExitCode);
        Assert.Contains("is a symbolic link", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(sandbox.Target("/root/.aws/credentials")));
        Assert.Equal("keep", File.ReadAllText(victim));
    }

    [Fact]
    public async Task What_changed_while_waiting_for_the_lock_is_planned_again_and_reported()
    {
        using var sandbox = new Sandbox();
        Assert.Equal(ExitCodes.Ok, (await sandbox.ApplyAsync()).ExitCode);
        var context = Pipeline.AgentContext.Create(null, sandbox.Root, sandbox.Sources);
        var waiting = new TaskCompletionSource();
        Task<Pipeline.ReconcileResult> apply;
        using (new FileStream(sandbox.Target("/var/lib/nodeagent/apply.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            apply = new Pipeline.Reconciler(Pipeline.AgentServices.Create(context)).RunAsync(
                new Pipeline.ReconcileRequest(NodeAgent.Reporting.ReportMode.Apply)
                {
                    Restart = false,
                    LockWait = TimeSpan.FromMinutes(5),
                    Waiting = _ => waiting.TrySetResult(),
                },
                CancellationToken.None);
            await waiting.Task;
            // Another run (or a person) loosens a file while this apply waits.
            File.SetUnixFileMode(sandbox.Target("/opt/sensor/.env"), Private | UnixFileMode.OtherRead);
        }

        var result = (await apply).Apply!;
        var env = Assert.Single(result.Plan.Changes);
        Assert.Equal(sandbox.Target("/opt/sensor/.env"), env.Path);
        Assert.Contains("mode 0604 → 0600", env.Reasons);
        Assert.Equal([env.Path], result.WrittenPaths);
        Assert.Equal(Private, File.GetUnixFileMode(env.Path));
    }

    [Fact]
    public async Task AWS_PROFILE_must_name_the_profile_nodeagent_writes()
    {
        using var sandbox = new Sandbox();
        var env = Path.Combine(sandbox.Sources, "expanso-production.env");
        File.AppendAllText(env, "AWS_PROFILE=prod\n");
        var wrong = await sandbox.ApplyAsync("--dry-run");
        Assert.Equal(ExitCodes.InvalidInput, wrong.ExitCode);
        Assert.Contains("expanso-production.env:8: AWS_PROFILE names profile \"prod\", but NodeAgent writes [default]", wrong.Error, StringComparison.Ordinal);

        File.WriteAllText(env, File.ReadAllText(env).Replace("AWS_PROFILE=prod", "AWS_PROFILE=default", StringComparison.Ordinal));
        var right = await sandbox.ApplyAsync();
        Assert.Equal(ExitCodes.Ok, right.ExitCode);
        Assert.Contains("AWS_PROFILE=default\n", File.ReadAllText(sandbox.Target("/opt/sensor/docker.env")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_documents_the_exit_codes()
    {
        using var sandbox = new Sandbox();
        var run = await sandbox.RunAsync("apply", "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("2 invalid sources, configuration or usage", run.Output, StringComparison.Ordinal);
        Assert.Contains("--dry-run", run.Output, StringComparison.Ordinal);
    }
}
