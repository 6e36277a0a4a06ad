// Docker inspect models are nullable-annotated throughout; a null here is a test failure anyway (NullReferenceException).
#nullable disable warnings

using Docker.DotNet.Models;

using NodeAgent.Containers;

using static NodeAgent.IntegrationTests.Containers.ConsumerUpdaterTests;

namespace NodeAgent.IntegrationTests.Containers;

/// <summary>When a recreated (or restarted) consumer counts as up: running, stable across two looks, and healthy
/// unless it was already unhealthy before.</summary>
public sealed class RecreateReadinessTests
{
    // Runs with the old key; with any other key it exits after a moment, and restart: always brings it back.
    private static readonly IList<string> CrashesWithoutOldKey =
        ["sh", "-c", $"test \"$AWS_ACCESS_KEY_ID\" = {OldKeyId} || {{ sleep 0.3; exit 1; }}; trap 'exit 0' TERM; while true; do sleep 0.2; done"];

    [DockerFact]
    public async Task Update_rolls_back_a_recreated_consumer_that_crash_loops_although_it_is_seen_running()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment, cmd: CrashesWithoutOldKey, restart: RestartPolicyKind.Always);
        var name = (await box.InspectAsync(oldId)).Name.TrimStart('/');

        var outcomes = await Update(box, [box.DockerEnv], restartTimeoutSeconds: 6);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.True(outcome.Action == ContainerAction.Failed, outcome.Reason);
        Assert.StartsWith("recreate failed: the new container was not ready within 6 s", outcome.Reason);
        Assert.Contains("keeps exiting", outcome.Reason);
        Assert.Contains("previous container was put back", outcome.Reason);
        var restored = await box.InspectAsync(name);
        Assert.Equal(oldId, restored.ID);
        Assert.Contains($"AWS_ACCESS_KEY_ID={OldKeyId}", restored.Config.Env);
        await box.WaitRunningAsync(oldId);
        AssertNoSecrets(outcomes);
    }

    [DockerFact]
    public async Task Update_recreates_a_consumer_that_was_already_unhealthy_and_accepts_the_clone_running_and_stable()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var failing = new HealthcheckConfig { Test = ["CMD", "false"], Interval = TimeSpan.FromMilliseconds(200), Retries = 1 };
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment, healthcheck: failing, start: false);
        await box.Client.Containers.StartContainerAsync(oldId, new ContainerStartParameters());
        await WaitHealthAsync(box, oldId, "unhealthy");

        var outcomes = await Update(box, [box.DockerEnv], restartTimeoutSeconds: 20);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.True(outcome.Action == ContainerAction.Recreated, outcome.Reason);
        Assert.Contains("not waited for to become healthy: the previous container was already unhealthy", outcome.Reason);
        var fresh = await box.InspectAsync(outcome.ContainerId!);
        Assert.True(fresh.State.Running);
        Assert.Contains($"AWS_ACCESS_KEY_ID={NewKeyId}", fresh.Config.Env);
        Assert.False(await box.ExistsAsync(oldId));
    }

    [DockerFact]
    public async Task Update_accepts_a_restarted_consumer_that_exits_once_and_is_brought_back_by_its_restart_policy()
    {
        await using var box = await DockerSandbox.CreateAsync();
        // Start 2 (our restart) exits after a moment; on-failure starts it a third time, and that one stays up.
        var id = await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws:ro"],
            cmd: StartCounting("[ $n -eq 2 ] && { sleep 0.5; exit 3; }"), restart: RestartPolicyKind.OnFailure);

        var outcomes = await Update(box, [box.RootCredentials]);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Compute);
        Assert.True(outcome.Action == ContainerAction.Restarted, outcome.Reason);
        var after = await box.InspectAsync(id);
        Assert.True(after.State.Running);
        Assert.Equal(1, after.RestartCount);
    }

    [DockerFact]
    public async Task Update_reports_a_restarted_consumer_whose_restart_policy_gave_up_as_stopped_not_as_slow()
    {
        await using var box = await DockerSandbox.CreateAsync();
        // Every start after the first exits at once; on-failure:1 retries once, then leaves it exited.
        await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws:ro"],
            cmd: StartCounting("[ $n -ge 2 ] && exit 3"), restart: RestartPolicyKind.OnFailure, maximumRetryCount: 1);

        var outcomes = await Update(box, [box.RootCredentials], restartTimeoutSeconds: 60);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Compute);
        Assert.Equal(ContainerAction.Failed, outcome.Action);
        Assert.StartsWith($"restarted because bind mount {box.RootAws} contains changed {box.RootCredentials}, but it was stopped: exited, exit code 3",
            outcome.Reason);
    }

    // n = how many times this container has been started (kept in its own filesystem, which survives restarts).
    private static IList<string> StartCounting(string onStart) =>
        ["sh", "-c", $"n=$(($(cat /tmp/n 2>/dev/null || echo 0) + 1)); echo $n > /tmp/n; {onStart}; trap 'exit 0' TERM; while true; do sleep 0.2; done"];

    private static async Task WaitHealthAsync(DockerSandbox box, string id, string status)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await box.Client.Containers.InspectContainerAsync(id, limit.Token)).State.Health?.Status != status)
        {
            await Task.Delay(100, limit.Token);
        }
    }
}
