// Docker inspect models are nullable-annotated throughout; a null here is a test failure anyway (NullReferenceException).
#nullable disable warnings

using Docker.DotNet.Models;

using NodeAgent.Containers;

using static NodeAgent.IntegrationTests.Containers.ConsumerUpdaterTests;

namespace NodeAgent.IntegrationTests.Containers;

/// <summary>
/// A recreate that fails is rolled back; when a step of the rollback fails too, the outcome must say which one and
/// give the commands that finish it, never "the previous container was put back" while it is still parked or stopped.
/// Each test breaks one rollback step for real, from inside the swap (the <see cref="ContainerRecreator.AfterStep"/> seam).
/// </summary>
public sealed class RollbackTests
{
    // Runs with the old key; with any other key it exits at once (restart: no), so the clone never becomes ready.
    private static readonly IList<string> ExitsWithoutOldKey =
        ["sh", "-c", $"test \"$AWS_ACCESS_KEY_ID\" = {OldKeyId} || exit 1; trap 'exit 0' TERM; while true; do sleep 0.2; done"];

    [DockerFact]
    public async Task A_rollback_whose_parked_original_is_gone_says_so_and_does_not_claim_it_was_put_back()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment, cmd: ExitsWithoutOldKey, restart: RestartPolicyKind.No);
        var old = await box.InspectAsync(oldId);
        var name = old.Name.TrimStart('/');
        var parked = name + ConsumerFinder.ParkedSuffix;
        var recreator = Recreator(box, async step =>
        {
            if (step == RecreateStep.Created)
            {
                // Someone (or something) removes the parked original while the clone is being tried.
                await box.Client.Containers.RemoveContainerAsync(parked, new ContainerRemoveParameters { Force = true });
            }
        });

        var outcome = await recreator.RecreateAsync(Consumer(box, oldId, name), old, NewKeyEnvironment(), "AWS_ACCESS_KEY_ID was stale", CancellationToken.None);

        Assert.True(outcome.Action == ContainerAction.Failed, outcome.Reason);
        Assert.StartsWith("recreate failed: the new container was", outcome.Reason);
        Assert.DoesNotContain("put back", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains($"rolling back also failed: the previous container ({oldId[..12]}, parked as {parked}) no longer exists, so no container is named {name}", outcome.Reason);
        Assert.StartsWith($"recreate {name} from its definition", outcome.Fix);
        Assert.False(await box.ExistsAsync(name), "the failed clone must still be removed");
    }

    [DockerFact]
    public async Task A_rollback_whose_original_cannot_start_again_names_the_start_step_and_docker_start()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var network = box.Project + "-net";
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment, networks: [network]);
        var old = await box.InspectAsync(oldId);
        var name = old.Name.TrimStart('/');
        var recreator = Recreator(box, async step =>
        {
            if (step == RecreateStep.Created)
            {
                // Neither container is running now, so Docker lets the network go; starting either then fails for real.
                await box.Client.Networks.DeleteNetworkAsync(network);
            }
        });

        var outcome = await recreator.RecreateAsync(Consumer(box, oldId, name), old, NewKeyEnvironment(), "AWS_ACCESS_KEY_ID was stale", CancellationToken.None);

        Assert.True(outcome.Action == ContainerAction.Failed, outcome.Reason);
        Assert.StartsWith("recreate failed (Docker answered HTTP", outcome.Reason);
        Assert.DoesNotContain("put back", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains($"rolling back also failed: the previous container is back under {name} but could not be started (Docker answered HTTP", outcome.Reason);
        Assert.StartsWith($"docker start {name}; ", outcome.Fix);
        // The rename step did succeed: the original holds its name again, stopped, with its old key.
        var restored = await box.InspectAsync(name);
        Assert.Equal(oldId, restored.ID);
        Assert.False(restored.State.Running);
        Assert.Contains($"AWS_ACCESS_KEY_ID={OldKeyId}", restored.Config.Env);
        Assert.False(await box.ExistsAsync(name + ConsumerFinder.ParkedSuffix));
    }

    [DockerFact]
    public async Task An_interrupted_recreate_whose_rollback_fails_carries_the_failed_step_and_fix_in_its_cancellation()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment);
        var old = await box.InspectAsync(oldId);
        var name = old.Name.TrimStart('/');
        var parked = name + ConsumerFinder.ParkedSuffix;
        using var caller = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var recreator = Recreator(box, async step =>
        {
            if (step == RecreateStep.Created)
            {
                await box.Client.Containers.RemoveContainerAsync(parked, new ContainerRemoveParameters { Force = true });
                await caller.CancelAsync();
            }
        });

        var interrupted = await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            recreator.RecreateAsync(Consumer(box, oldId, name), old, NewKeyEnvironment(), "AWS_ACCESS_KEY_ID was stale", caller.Token));

        Assert.StartsWith($"interrupted while recreating {name}, and the previous container", interrupted.Message);
        Assert.Contains($"fix: recreate {name} from its definition", interrupted.Message);
    }

    [DockerFact]
    public async Task A_rollback_that_completes_still_says_the_previous_container_was_put_back()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment, cmd: ExitsWithoutOldKey, restart: RestartPolicyKind.No);
        var old = await box.InspectAsync(oldId);
        var name = old.Name.TrimStart('/');

        var outcome = await Recreator(box, _ => Task.CompletedTask)
            .RecreateAsync(Consumer(box, oldId, name), old, NewKeyEnvironment(), "AWS_ACCESS_KEY_ID was stale", CancellationToken.None);

        Assert.True(outcome.Action == ContainerAction.Failed, outcome.Reason);
        Assert.Contains("the previous container was put back, still with stale credentials", outcome.Reason);
        Assert.DoesNotContain("rolling back also failed", outcome.Reason, StringComparison.Ordinal);
        var restored = await box.InspectAsync(name);
        Assert.Equal(oldId, restored.ID);
        Assert.True(restored.State.Running);
    }

    [DockerFact]
    public async Task Cloning_leaves_the_inspect_response_as_docker_sent_it()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var owner = await box.ComposeServiceAsync("netowner");
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment, networkMode: $"container:{owner}", volumes: ["/data"]);
        var old = await box.InspectAsync(oldId);
        var bindsBefore = old.HostConfig.Binds?.ToList();
        var dnsBefore = old.HostConfig.DNS;

        var clone = await Recreator(box, _ => Task.CompletedTask).CloneAsync(old, "clone", NewKeyEnvironment(), CancellationToken.None);

        Assert.NotSame(old.HostConfig, clone.HostConfig);
        Assert.Equal(bindsBefore, old.HostConfig.Binds?.ToList());
        Assert.Same(dnsBefore, old.HostConfig.DNS);
        Assert.Contains(clone.HostConfig.Binds, b => b.EndsWith(":/data", StringComparison.Ordinal));
        Assert.Null(clone.HostConfig.DNS);
        Assert.Equal(old.HostConfig.NetworkMode, clone.HostConfig.NetworkMode);
        Assert.Equal(old.HostConfig.RestartPolicy, clone.HostConfig.RestartPolicy);
    }

    private static ContainerRecreator Recreator(DockerSandbox box, Func<RecreateStep, Task> afterStep) =>
        new(box.Client, TimeSpan.FromSeconds(6), DockerClientFactory.DefaultRequestTimeout) { AfterStep = afterStep };

    private static ConsumerContainer Consumer(DockerSandbox box, string id, string name) =>
        new(box.Simulators, id, name, "compose name", "running");

    private static string[] NewKeyEnvironment() =>
        [.. OldEnvironment.Select(e => e.StartsWith("AWS_ACCESS_KEY_ID=", StringComparison.Ordinal) ? "AWS_ACCESS_KEY_ID=" + NewKeyId : e)];
}
