#nullable disable warnings

using NodeAgent.Cli;
using NodeAgent.IntegrationTests.Containers;

namespace NodeAgent.IntegrationTests.Apply;

/// <summary>The whole `nodeagent apply` (in-process CLI) against a real dockerd: rotation reaches every consumer.</summary>
public sealed class ApplyRestartsConsumersTests
{
    private const string RotatedKey = "AKIAROTATEDNODEAG099";
    private const string RotatedSecret = "RoTaTeDsEcReTkEyRoTaTeDsEcReTkEy01234567";

    [DockerFact]
    public async Task Rotation_restarts_mount_consumers_recreates_env_consumers_and_leaves_others_alone()
    {
        await using var box = await DockerSandbox.CreateAsync();
        using var sandbox = new Sandbox(box.Root);
        var config = sandbox.WriteConfig($"containers:\n  names: [{box.Simulators}, {box.Compute}]\n  restart_timeout_seconds: 30\n");
        string[] apply = ["apply", "--config", config, "--root", box.Root, "--sources", sandbox.Sources];

        var first = await sandbox.RunAsync(apply);
        Assert.True(first.ExitCode == ExitCodes.Ok, first.ToString());
        Assert.Matches($"container not-found +{box.Simulators} ", first.Output);

        // Consumers as compose creates them: compute mounts the .aws folders; the simulators also got docker.env's variables.
        var dockerEnv = File.ReadAllLines(sandbox.Target("/opt/sensor/docker.env")).Where(l => !l.StartsWith('#')).ToList();
        var compute = await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws:ro", $"{box.UbuntuAws}:/home/bacalhau/.aws:ro"]);
        var simulators = await box.ComposeServiceAsync(box.Simulators, env: dockerEnv, binds: [$"{box.RootAws}:/root/.aws:ro"]);
        var unrelated = await box.ComposeServiceAsync("unrelated-" + box.Project[^4..], binds: [$"{box.Unrelated}:/data:ro"]);
        var computeStarted = (await box.InspectAsync(compute)).State.StartedAt;
        var unrelatedStarted = (await box.InspectAsync(unrelated)).State.StartedAt;
        var simulatorsBefore = await box.InspectAsync(simulators);

        sandbox.WriteSources(RotatedKey, RotatedSecret);
        var rotated = await sandbox.RunAsync(apply);
        Assert.True(rotated.ExitCode == ExitCodes.Ok, rotated.ToString());
        Assert.DoesNotContain(RotatedSecret, rotated.Output, StringComparison.Ordinal);

        var computeAfter = await box.InspectAsync(compute);
        Assert.NotEqual(computeStarted, computeAfter.State.StartedAt);
        Assert.True(computeAfter.State.Running);
        Assert.Matches($"container restarted +{box.Project}-{box.Compute}-1 +restarted: bind mount", rotated.Output);

        Assert.False(await box.ExistsAsync(simulators), "the stale-env consumer is replaced, not restarted");
        var recreated = await box.InspectAsync($"{box.Project}-{box.Simulators}-1");
        Assert.NotEqual(simulators, recreated.ID);
        Assert.Contains($"AWS_ACCESS_KEY_ID={RotatedKey}", recreated.Config.Env);
        Assert.Contains($"AWS_SECRET_ACCESS_KEY={RotatedSecret}", recreated.Config.Env);
        Assert.Equal(simulatorsBefore.Config.Labels, recreated.Config.Labels);
        Assert.Equal(simulatorsBefore.HostConfig.Binds, recreated.HostConfig.Binds);
        Assert.Equal(simulatorsBefore.HostConfig.RestartPolicy.Name, recreated.HostConfig.RestartPolicy.Name);
        Assert.Matches(@"container recreated +\S+ +recreated: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY in its environment were stale", rotated.Output);

        Assert.Equal(unrelatedStarted, (await box.InspectAsync(unrelated)).State.StartedAt);

        var again = await sandbox.RunAsync(apply);
        Assert.True(again.ExitCode == ExitCodes.Ok, again.ToString());
        Assert.Contains("0 file(s) written", again.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("container restarted", again.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("container recreated", again.Output, StringComparison.Ordinal);
        Assert.Equal(computeAfter.State.StartedAt, (await box.InspectAsync(compute)).State.StartedAt);
        Assert.Equal(recreated.ID, (await box.InspectAsync($"{box.Project}-{box.Simulators}-1")).ID);
    }

    [Fact]
    public async Task Docker_down_still_places_the_files_and_exits_4_with_the_reason()
    {
        // A socket path where no daemon answers is what a stopped dockerd leaves the client with. (DOCKER_HOST, when
        // set, wins over the configured socket as for the docker CLI; CI leaves it unset.)
        using var sandbox = new Sandbox();
        var config = sandbox.WriteConfig($"containers:\n  docker_host: unix://{sandbox.Root}/docker.sock\n");
        var run = await sandbox.RunAsync("apply", "--config", config, "--root", sandbox.Root, "--sources", sandbox.Sources);
        Assert.Equal(ExitCodes.ContainersFailed, run.ExitCode);
        Assert.Contains("container failed", run.Output, StringComparison.Ordinal);
        Assert.Contains("fix:", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output + run.Error, StringComparison.Ordinal);
        Assert.Contains(TestData.KeyId, File.ReadAllText(sandbox.Target("/root/.aws/credentials")), StringComparison.Ordinal);
        Assert.Contains("8 file(s) written", run.Output, StringComparison.Ordinal);
    }
}
