using Docker.DotNet.Models;

using NodeAgent.Containers;

namespace NodeAgent.IntegrationTests.Containers;

public sealed class ContainerCredentialInspectorTests
{
    [DockerFact]
    public async Task Verify_sees_stale_environment_before_the_update_and_current_credentials_after_it()
    {
        await using var box = await DockerSandbox.CreateAsync();
        await box.ComposeServiceAsync(box.Simulators, binds: [$"{box.RootAws}:/root/.aws:ro"], env: ConsumerUpdaterTests.OldEnvironment);

        var before = Assert.Single(await Inspect(box), c => c.Consumer == box.Simulators);
        Assert.Equal(ContainerCredentialStatus.Stale, before.Status);
        Assert.Contains("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY in its environment differ from docker.env", before.Detail);

        await ConsumerUpdaterTests.Update(box, [box.RootCredentials, box.DockerEnv]);

        var after = Assert.Single(await Inspect(box), c => c.Consumer == box.Simulators);
        Assert.Equal(ContainerCredentialStatus.Current, after.Status);
        Assert.Contains($"bind-mounts {box.RootAws} at /root/.aws read-only", after.Detail);
        Assert.Contains("environment matches docker.env", after.Detail);
        AssertNoSecrets(before, after);
    }

    [DockerFact]
    public async Task Verify_flags_a_mount_consumer_started_before_the_credentials_file_was_rewritten()
    {
        await using var box = await DockerSandbox.CreateAsync();
        await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws"]);
        File.SetLastWriteTimeUtc(box.RootCredentials, DateTime.UtcNow.AddHours(1));

        var check = Assert.Single(await Inspect(box), c => c.Consumer == box.Compute);

        Assert.Equal(ContainerCredentialStatus.Stale, check.Status);
        Assert.Contains($"started before {box.RootCredentials} was last written", check.Detail);
        Assert.StartsWith("docker restart ", check.Fix);
    }

    [DockerFact]
    public async Task Verify_reports_a_read_write_credentials_mount_as_current_with_a_fix_to_make_it_read_only()
    {
        await using var box = await DockerSandbox.CreateAsync();
        File.SetLastWriteTimeUtc(box.RootCredentials, DateTime.UtcNow.AddHours(-1));
        await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws"]);

        var check = Assert.Single(await Inspect(box), c => c.Consumer == box.Compute);

        Assert.Equal(ContainerCredentialStatus.Current, check.Status);
        Assert.Contains("read-write", check.Detail);
        Assert.Contains("read-only (:ro)", check.Fix);
    }

    [DockerFact]
    public async Task Verify_reports_restart_looping_stopped_and_credential_less_consumers()
    {
        await using var box = await DockerSandbox.CreateAsync();
        await box.ComposeServiceAsync(box.Simulators, cmd: ["sh", "-c", "exit 3"], restart: RestartPolicyKind.Always, start: false);
        await box.Client.Containers.StartContainerAsync($"{box.Project}-{box.Simulators}-1", new ContainerStartParameters());
        await box.ComposeServiceAsync(box.Compute, index: 1, start: false);
        await box.ComposeServiceAsync(box.Compute, index: 2);

        var checks = await Inspect(box);

        Assert.Equal(ContainerCredentialStatus.RestartLooping, Assert.Single(checks, c => c.Consumer == box.Simulators).Status);
        Assert.Equal(ContainerCredentialStatus.Stopped, Assert.Single(checks, c => c.ContainerName == $"{box.Project}-{box.Compute}-1").Status);
        var bare = Assert.Single(checks, c => c.ContainerName == $"{box.Project}-{box.Compute}-2");
        Assert.Equal(ContainerCredentialStatus.NoCredentials, bare.Status);
        Assert.NotNull(bare.Fix);
    }

    [DockerFact]
    public async Task A_consumer_up_for_longer_than_the_stability_window_is_judged_from_one_inspect_without_waiting()
    {
        await using var box = await DockerSandbox.CreateAsync();
        await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws:ro"]);
        File.SetLastWriteTimeUtc(box.RootCredentials, DateTime.UtcNow.AddHours(-2));
        var started = System.Diagnostics.Stopwatch.StartNew();

        // The host's clock an hour on: the container has been up for an hour, far longer than a 30 s window that a
        // second look would have to wait out.
        var check = Assert.Single(await Inspect(box, TimeSpan.FromSeconds(30), new ShiftedClock(TimeSpan.FromHours(1))), c => c.Consumer == box.Compute);

        Assert.True(check.Status == ContainerCredentialStatus.Current, check.Detail);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(15), $"took {started.Elapsed}: it waited for a second look");
    }

    [DockerFact]
    public async Task A_crash_looping_consumer_caught_running_is_restart_looping()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var id = await box.ComposeServiceAsync(box.Compute, cmd: ["sh", "-c", "sleep 0.3; exit 1"], restart: RestartPolicyKind.Always, start: false,
            binds: [$"{box.RootAws}:/root/.aws:ro"]);
        await box.Client.Containers.StartContainerAsync(id, new ContainerStartParameters());

        var check = Assert.Single(await Inspect(box, ContainerReadiness.StabilityWindow), c => c.Consumer == box.Compute);

        Assert.True(check.Status == ContainerCredentialStatus.RestartLooping, check.Detail);
        Assert.StartsWith("restart-looping: ", check.Detail);
        Assert.StartsWith("docker logs ", check.Fix);
    }

    [DockerFact]
    public async Task A_consumer_restarted_just_now_is_watched_for_the_rest_of_the_window_and_then_current()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var id = await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws:ro"]);
        File.SetLastWriteTimeUtc(box.RootCredentials, DateTime.UtcNow.AddHours(-2));
        await box.Client.Containers.RestartContainerAsync(id, new ContainerRestartParameters { WaitBeforeKillSeconds = 1 });
        var restarted = System.Diagnostics.Stopwatch.StartNew();
        var window = TimeSpan.FromSeconds(2);

        var check = Assert.Single(await Inspect(box, window), c => c.Consumer == box.Compute);

        Assert.True(check.Status == ContainerCredentialStatus.Current, check.Detail);
        // StartedAt is a moment before the restart call returns: allow for it, but most of the window was watched.
        Assert.True(restarted.Elapsed > window - TimeSpan.FromSeconds(0.5), $"decided after {restarted.Elapsed}, before the window ended");
    }

    [DockerFact]
    public async Task An_unhealthy_consumer_is_reported_with_the_healthcheck_to_look_at()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var failing = new HealthcheckConfig { Test = ["CMD", "false"], Interval = TimeSpan.FromMilliseconds(200), Retries = 1 };
        var id = await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws:ro"], healthcheck: failing, start: false);
        await box.Client.Containers.StartContainerAsync(id, new ContainerStartParameters());
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while ((await box.Client.Containers.InspectContainerAsync(id, limit.Token)).State?.Health?.Status != "unhealthy")
            {
                await Task.Delay(100, limit.Token);
            }
        }

        var check = Assert.Single(await Inspect(box, TimeSpan.FromSeconds(1)), c => c.Consumer == box.Compute);

        Assert.True(check.Status == ContainerCredentialStatus.Unhealthy, check.Detail);
        Assert.StartsWith("running, but its healthcheck fails (unhealthy", check.Detail);
        Assert.Contains(".State.Health", check.Fix);
    }

    [DockerFact]
    public async Task A_paused_consumer_is_reported_paused_with_the_unpause_fix()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var id = await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws:ro"]);
        await box.Client.Containers.PauseContainerAsync(id);

        var check = Assert.Single(await Inspect(box, TimeSpan.FromSeconds(1)), c => c.Consumer == box.Compute);

        Assert.True(check.Status == ContainerCredentialStatus.Paused, check.Detail);
        Assert.StartsWith("docker unpause ", check.Fix);
    }

    private static async Task<IReadOnlyList<ContainerCredentialCheck>> Inspect(DockerSandbox box, TimeSpan? window = null, TimeProvider? clock = null)
    {
        var options = box.Options();
        var inspector = new ContainerCredentialInspector(DockerSandbox.Factory(options), options, window ?? TimeSpan.FromSeconds(1), clock);
        return await inspector.InspectAsync(
            new CurrentCredentials(ConsumerUpdaterTests.NewEnvironment, [box.RootCredentials, box.UbuntuCredentials, box.DockerEnv]),
            CancellationToken.None);
    }

    private static void AssertNoSecrets(params ContainerCredentialCheck[] checks)
    {
        foreach (var c in checks)
        {
            foreach (var value in ConsumerUpdaterTests.AllValues)
            {
                Assert.DoesNotContain(value, c.Detail, StringComparison.Ordinal);
                Assert.DoesNotContain(value, c.Fix ?? "", StringComparison.Ordinal);
            }
        }
    }
}

/// <summary>The system clock moved by a fixed amount (timers still run in real time).</summary>
internal sealed class ShiftedClock(TimeSpan shift) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
}
