using NodeAgent.Cli;

namespace NodeAgent.IntegrationTests.Daemon;

/// <summary>
/// `nodeagent run` as a process against real files, real inotify and a real NOTIFY_SOCKET. AWS is a closed port
/// here (the probes fail fast, and a rotation is "unverifiable" and applied); moto and Docker come in
/// <see cref="DaemonServiceTests"/>.
/// </summary>
public sealed class DaemonFileTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Run_is_ready_once_after_the_files_exist_reports_status_pings_the_watchdog_and_stops_on_SIGTERM()
    {
        using var sandbox = new Sandbox();
        using var notify = new NotifySocket();
        using var daemon = Start(notify, sandbox, Config(sandbox, drift: 1), watchdog: TimeSpan.FromSeconds(1));

        var ready = await notify.WaitForAsync(d => d.StartsWith("READY=1", StringComparison.Ordinal), Within, "READY=1");
        Assert.Contains("STATUS=", ready, StringComparison.Ordinal);
        Assert.Contains("8/8 files ok", ready, StringComparison.Ordinal);
        Assert.True(File.Exists(sandbox.Target("/opt/sensor/docker.env")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sandbox.Target("/home/ubuntu/.aws/credentials")));

        // Drift cycles every second: each one ends with a STATUS line; READY is never sent again.
        var statuses = notify.Statuses.Count;
        await notify.WaitForAsync(_ => notify.Statuses.Count >= statuses + 3, Within, "three more STATUS lines");
        Assert.Equal(1, notify.Count("READY=1"));
        Assert.All(notify.Statuses.Skip(1), s => Assert.Matches(@"8/8 files ok.*last \d\d:\d\d:\d\d", s));

        // WATCHDOG_USEC=1 s: a ping every half second while the loop is healthy.
        var before = notify.Count("WATCHDOG=1");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var pings = notify.Count("WATCHDOG=1") - before;
        Assert.InRange(pings, 3, 12);

        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync(Within));
        Assert.Contains(notify.Received, d => d.Text.StartsWith("STOPPING=1", StringComparison.Ordinal));
        Assert.Contains("daemon: stopping", daemon.Error, StringComparison.Ordinal);
        var report = File.ReadAllText(sandbox.Target("/var/lib/nodeagent/last-report.json"));
        Assert.Contains("\"mode\": \"run\"", report, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
            File.GetUnixFileMode(Assert.Single(Directory.EnumerateFiles(sandbox.Target("/var/log/nodeagent")))));
        AssertNoSecretAnywhere(daemon, sandbox);
    }

    [Fact]
    public async Task Invalid_sources_still_make_the_daemon_ready_and_fixed_sources_are_picked_up_without_a_restart()
    {
        using var sandbox = new Sandbox();
        var credentials = Path.Combine(sandbox.Sources, "expanso-s3-credentials");
        File.WriteAllText(credentials, "[default]\naws_access_key_id = CHANGEME\n");
        using var notify = new NotifySocket();
        using var daemon = Start(notify, sandbox, Config(sandbox));

        var ready = await notify.WaitForAsync(d => d.StartsWith("READY=1", StringComparison.Ordinal), Within, "READY=1");
        Assert.Contains("sources:", ready, StringComparison.Ordinal);
        Assert.False(File.Exists(sandbox.Target("/root/.aws/credentials")));
        Assert.False(daemon.HasExited);
        Assert.Contains("[event 1000]", daemon.Error, StringComparison.Ordinal);

        sandbox.WriteSources(TestData.KeyId, TestData.SecretKey);
        await notify.WaitForStatusAsync(s => s.StartsWith("8/8 files ok", StringComparison.Ordinal) || s.Contains("(8/8 files ok", StringComparison.Ordinal),
            Within, "8/8 files ok after the fix");
        Assert.True(File.Exists(sandbox.Target("/root/.aws/credentials")));
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync(Within));
        AssertNoSecretAnywhere(daemon, sandbox);
    }

    [Fact]
    public async Task A_sources_directory_made_after_start_is_picked_up_the_moment_the_files_land()
    {
        using var sandbox = new Sandbox();
        var later = Path.Combine(sandbox.Root, "opt", "deployment", "etc", "aws", "credentials");
        using var notify = new NotifySocket();
        // Drift every hour: only the watch on the nearest existing parent can find the new directory in time.
        using var daemon = Start(notify, sandbox, Config(sandbox), sources: later);
        await notify.WaitForAsync(d => d.StartsWith("READY=1", StringComparison.Ordinal), Within, "READY=1");
        Assert.False(File.Exists(sandbox.Target("/root/.aws/credentials")));
        // The failed start is retried after about 2 s, then 4 s: upload right after a retry, so the watch is what finds the files.
        await daemon.WaitForErrorAsync(_ => CyclesFor(daemon, "Retry") >= 1, Within, "the first retry");

        Directory.CreateDirectory(later);
        foreach (var file in Directory.EnumerateFiles(sandbox.Sources))
        {
            File.Copy(file, Path.Combine(later, Path.GetFileName(file)));
        }

        await daemon.WaitForErrorAsync(_ => CyclesFor(daemon, "SourcesChanged") >= 1, Within, "a cycle the watch started");
        Assert.True(File.Exists(sandbox.Target("/root/.aws/credentials")), daemon.ToString());
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync(Within));
    }

    [Fact]
    public async Task Each_burst_of_uploads_is_one_reconcile_whether_renamed_overwritten_or_rsynced()
    {
        using var sandbox = new Sandbox();
        using var notify = new NotifySocket();
        using var daemon = Start(notify, sandbox, Config(sandbox));
        await notify.WaitForAsync(d => d.StartsWith("READY=1", StringComparison.Ordinal), Within, "READY=1");
        var env = Path.Combine(sandbox.Sources, "expanso-production.env");
        var original = File.ReadAllText(env);

        var uploads = new (string Style, Action<int> Upload)[]
        {
            ("scp to a temp name, then mv", n =>
            {
                var temp = Path.Combine(sandbox.Sources, $"upload-{n}.tmp");
                File.WriteAllText(temp, original + $"UPLOAD={n}\n");
                File.Move(temp, env, overwrite: true);
            }),
            ("in-place overwrite", n => File.WriteAllText(env, original + $"UPLOAD={n}\n")),
            ("rsync: .NAME.XXXXXX, then rename", n =>
            {
                var temp = Path.Combine(sandbox.Sources, $".expanso-production.env.Ab{n}x9Z");
                File.WriteAllText(temp, original + $"UPLOAD={n}\n");
                File.Move(temp, env, overwrite: true);
            }),
        };

        for (var n = 0; n < uploads.Length; n++)
        {
            var before = CyclesFor(daemon, "SourcesChanged");
            uploads[n].Upload(n);
            await daemon.WaitForErrorAsync(_ => CyclesFor(daemon, "SourcesChanged") > before, Within, $"a cycle after {uploads[n].Style}");
            // The settle time (1 s) has passed with no further event: a second cycle now would be a burst split in two.
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            Assert.True(CyclesFor(daemon, "SourcesChanged") == before + 1, $"{uploads[n].Style}: {CyclesFor(daemon, "SourcesChanged") - before} cycles\n{daemon}");
            Assert.Contains($"UPLOAD={n}\n", File.ReadAllText(sandbox.Target("/opt/sensor/docker.env")), StringComparison.Ordinal);
        }

        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync(Within));
    }

    [Fact]
    public async Task Drift_is_repaired_and_logged_as_a_journal_warning_and_a_planted_link_is_refused_not_followed()
    {
        using var sandbox = new Sandbox();
        using var notify = new NotifySocket();
        // JOURNAL_STREAM makes stderr the journal's: one line per event with its syslog priority.
        using var daemon = Start(notify, sandbox, Config(sandbox, drift: 1), environment: new Dictionary<string, string> { ["JOURNAL_STREAM"] = "8:12345" });
        await notify.WaitForAsync(d => d.StartsWith("READY=1", StringComparison.Ordinal), Within, "READY=1");

        var credentials = sandbox.Target("/home/ubuntu/.aws/credentials");
        File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await daemon.WaitForErrorAsync(e => e.Contains($"drift: {credentials}: mode 0644 → 0600", StringComparison.Ordinal), Within, "the drift warning");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentials));
        Assert.Contains(daemon.Error.Split('\n'), l => l.StartsWith("<4>WRN drift: ", StringComparison.Ordinal) && l.Contains("[event 3100]", StringComparison.Ordinal));

        // A local user swaps the file for a link to something root can write: nothing is written through it.
        var victim = Path.Combine(sandbox.Root, "victim");
        File.WriteAllText(victim, "keep");
        File.Delete(credentials);
        File.CreateSymbolicLink(credentials, victim);
        var statuses = notify.Statuses.Count;
        await notify.WaitForStatusAsync(s => s.Contains("symbolic link", StringComparison.Ordinal), Within, "the refusal", notify.Received.Count);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal("keep", File.ReadAllText(victim));
        Assert.Equal(FileAttributes.ReparsePoint, File.GetAttributes(credentials) & FileAttributes.ReparsePoint);
        Assert.Contains(daemon.Error.Split('\n'), l => l.StartsWith("<3>ERR write: ", StringComparison.Ordinal) && l.Contains("symbolic link", StringComparison.Ordinal));
        Assert.True(notify.Statuses.Count > statuses);

        // Once the link is gone the next cycle places the file again.
        File.Delete(credentials);
        await daemon.WaitForErrorAsync(_ => File.Exists(credentials) && !File.GetAttributes(credentials).HasFlag(FileAttributes.ReparsePoint), Within, "the file back");
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync(Within));
        AssertNoSecretAnywhere(daemon, sandbox);
    }

    [Fact]
    public async Task The_textfile_counts_the_first_placement_and_a_drift_repair_and_survives_a_reload()
    {
        using var sandbox = new Sandbox();
        var prom = sandbox.Target("/var/lib/node_exporter/textfile_collector/nodeagent.prom");
        Directory.CreateDirectory(Path.GetDirectoryName(prom)!);
        using var notify = new NotifySocket();
        using var daemon = Start(notify, sandbox, Config(sandbox, drift: 1));
        await notify.WaitForAsync(d => d.StartsWith("READY=1", StringComparison.Ordinal), Within, "READY=1");

        // READY follows the first cycle, whose report (and metrics) were published before it.
        var first = File.ReadAllText(prom);
        Assert.Contains("nodeagent_rotations_total{result=\"first_placement\"} 1\n", first, StringComparison.Ordinal);
        Assert.Contains("nodeagent_drift_repairs_total 0\n", first, StringComparison.Ordinal);
        Assert.Contains("nodeagent_credentials_info{key=\"AKIA…G001\",source=\"static\"} 1\n", first, StringComparison.Ordinal);

        var credentials = sandbox.Target("/home/ubuntu/.aws/credentials");
        File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        await daemon.WaitForErrorAsync(_ => File.ReadAllText(prom).Contains("nodeagent_drift_repairs_total 1\n", StringComparison.Ordinal), Within, "the repair counted");

        // A reload brings new services and sinks; the counters are the daemon's and carry on.
        daemon.Signal("HUP");
        await daemon.WaitForErrorAsync(e => e.Contains("reloaded", StringComparison.Ordinal), Within, "the reload");
        var statuses = notify.Statuses.Count;
        await notify.WaitForAsync(_ => notify.Statuses.Count >= statuses + 2, Within, "two more cycles");
        Assert.Contains("nodeagent_drift_repairs_total 1\n", File.ReadAllText(prom), StringComparison.Ordinal);
        Assert.Contains("nodeagent_rotations_total{result=\"first_placement\"} 1\n", File.ReadAllText(prom), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(prom));
        TestData.AssertNoSecret(File.ReadAllText(prom));
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync(Within));
    }

    [Fact]
    public async Task SIGHUP_with_a_broken_configuration_keeps_the_running_one_and_says_so_and_a_fixed_one_is_taken()
    {
        using var sandbox = new Sandbox();
        var config = Config(sandbox, drift: 1);
        using var notify = new NotifySocket();
        using var daemon = Start(notify, sandbox, config);
        await notify.WaitForAsync(d => d.StartsWith("READY=1", StringComparison.Ordinal), Within, "READY=1");
        var good = File.ReadAllText(config);

        File.WriteAllText(config, good + "daemon_typo: 1\n");
        daemon.Signal("HUP");
        await notify.WaitForStatusAsync(s => s.StartsWith("config ", StringComparison.Ordinal) && s.Contains("unknown key daemon_typo", StringComparison.Ordinal),
            Within, "the reload failure", notify.Received.Count);
        Assert.Contains("configuration reload failed, keeping the running one", daemon.Error, StringComparison.Ordinal);
        Assert.False(daemon.HasExited);

        // The running configuration still works: drift is still repaired.
        var env = sandbox.Target("/opt/sensor/.env");
        File.SetUnixFileMode(env, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        await daemon.WaitForErrorAsync(e => e.Contains($"drift: {env}", StringComparison.Ordinal), Within, "drift repaired under the old configuration");

        File.WriteAllText(config, good);
        daemon.Signal("HUP");
        await daemon.WaitForErrorAsync(e => e.Contains("reloaded", StringComparison.Ordinal), Within, "the reload");
        await notify.WaitForStatusAsync(s => !s.Contains("daemon_typo", StringComparison.Ordinal), Within, "a STATUS without the reload failure", notify.Received.Count);
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync(Within));
    }

    [Fact]
    public async Task An_invalid_configuration_at_start_is_exit_2_so_systemd_does_not_restart_into_it()
    {
        using var sandbox = new Sandbox();
        using var notify = new NotifySocket();
        using var daemon = Start(notify, sandbox, Config(sandbox, extra: "daemon_typo: 1"));
        var exit = await daemon.WaitForExitAsync(Within);
        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("unknown key daemon_typo", daemon.Error, StringComparison.Ordinal);
        Assert.Equal(0, notify.Count("READY=1"));
    }

    private static string Config(Sandbox sandbox, int drift = 3600, string extra = "") => sandbox.WriteConfig($"""
        daemon:
          settle_seconds: 1
          drift_interval_seconds: {drift}
          probe_interval_seconds: 86400
        containers:
          names: []
        s3:
          endpoint: http://127.0.0.1:9
        sts:
          endpoint: http://127.0.0.1:9
        probes:
          timeout_seconds: 1
        {extra}
        """);

    private static DaemonProcess Start(NotifySocket notify, Sandbox sandbox, string config, string? sources = null, TimeSpan? watchdog = null,
        IReadOnlyDictionary<string, string>? environment = null) =>
        DaemonProcess.Start(notify, ["--config", config, "--root", sandbox.Root, "--sources", sources ?? sandbox.Sources], watchdog, environment);

    private static void AssertNoSecretAnywhere(DaemonProcess daemon, Sandbox sandbox)
    {
        TestData.AssertNoSecret(daemon.Output);
        TestData.AssertNoSecret(daemon.Error);
        foreach (var log in Directory.EnumerateFiles(sandbox.Target("/var/log/nodeagent")))
        {
            TestData.AssertNoSecret(File.ReadAllText(log));
        }
    }

    /// <summary>Cycles whose merged triggers include <paramref name="trigger"/> ("daemon: cycle (SourcesChanged, Retry): …").</summary>
    private static int CyclesFor(DaemonProcess daemon, string trigger) =>
        daemon.Error.Split('\n').Count(l => l.Contains("daemon: cycle (", StringComparison.Ordinal) && l.Split("daemon: cycle (")[1].Split(')')[0].Split(", ").Contains(trigger));
}
