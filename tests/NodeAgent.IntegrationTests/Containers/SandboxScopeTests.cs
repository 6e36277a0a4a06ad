// Docker inspect models are nullable-annotated throughout; a null here is a test failure anyway (NullReferenceException).
#nullable disable warnings

using System.Text.RegularExpressions;

using NodeAgent.Cli;
using NodeAgent.Containers;

namespace NodeAgent.IntegrationTests.Containers;

/// <summary>
/// A sandboxed run (--root) shares the host's dockerd: it must neither update nor judge the host's containers that
/// happen to carry a consumer's name, only those that bind-mount something under the sandbox root.
/// </summary>
public sealed class SandboxScopeTests
{
    [DockerFact]
    public async Task Apply_with_root_leaves_matching_containers_that_mount_nothing_under_the_root_alone_although_their_environment_is_stale()
    {
        await using var box = await DockerSandbox.CreateAsync();
        using var sandbox = new Sandbox(box.Root);
        // A sibling whose path starts with the root's text ("/tmp/x-host" against "/tmp/x") is still outside it.
        var hostAws = Path.Combine(box.Root + "-host", ".aws");
        Directory.CreateDirectory(hostAws);
        try
        {
            var config = sandbox.WriteConfig($"containers:\n  names: [{box.Simulators}, {box.Compute}]\n  restart_timeout_seconds: 30\n");
            var hostSimulators = await box.ComposeServiceAsync(box.Simulators, env: ConsumerUpdaterTests.OldEnvironment);
            var hostCompute = await box.ComposeServiceAsync(box.Compute, env: ConsumerUpdaterTests.OldEnvironment, binds: [$"{hostAws}:/root/.aws:ro"]);
            var sandboxed = await box.ComposeServiceAsync(box.Simulators, index: 2, env: ConsumerUpdaterTests.OldEnvironment, binds: [$"{box.RootAws}:/root/.aws:ro"]);
            var before = new[] { await box.InspectAsync(hostSimulators), await box.InspectAsync(hostCompute) };

            var run = await sandbox.RunAsync("apply", "--config", config, "--root", box.Root, "--sources", sandbox.Sources);

            Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
            foreach (var host in before)
            {
                var after = await box.InspectAsync(host.ID);
                Assert.Equal(host.State.StartedAt, after.State.StartedAt);
                Assert.True(after.State.Running);
                Assert.Equal(host.Name, after.Name);
                Assert.Contains($"AWS_ACCESS_KEY_ID={ConsumerUpdaterTests.OldKeyId}", after.Config.Env);
                Assert.Matches(
                    $"container unchanged +{Regex.Escape(host.Name.TrimStart('/'))} +not in the sandbox: it mounts nothing under {Regex.Escape(box.Root)}\n",
                    run.Output);
            }

            // The sandbox's own consumer is still brought up to date.
            Assert.False(await box.ExistsAsync(sandboxed));
            var recreated = await box.InspectAsync($"{box.Project}-{box.Simulators}-2");
            Assert.Contains($"AWS_ACCESS_KEY_ID={TestData.KeyId}", recreated.Config.Env);
        }
        finally
        {
            Directory.Delete(box.Root + "-host", recursive: true);
        }
    }

    [DockerFact]
    public async Task Verify_with_root_does_not_judge_a_host_container_that_mounts_nothing_under_the_root()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var host = await box.ComposeServiceAsync(box.Simulators, env: ConsumerUpdaterTests.OldEnvironment);
        await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws:ro"]);
        var hostName = (await box.InspectAsync(host)).Name.TrimStart('/');
        var options = box.Options();
        var inspector = new ContainerCredentialInspector(DockerSandbox.Factory(options), options, TimeSpan.FromMilliseconds(200));
        string[] files = [box.RootCredentials, box.UbuntuCredentials, box.DockerEnv];
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var onHost = await inspector.InspectAsync(new CurrentCredentials(ConsumerUpdaterTests.NewEnvironment, files), limit.Token);
        var inSandbox = await inspector.InspectAsync(new CurrentCredentials(ConsumerUpdaterTests.NewEnvironment, files, box.Root), limit.Token);

        Assert.Equal(ContainerCredentialStatus.Stale, Assert.Single(onHost, c => c.Consumer == box.Simulators).Status);
        var simulators = Assert.Single(inSandbox, c => c.Consumer == box.Simulators);
        Assert.Equal(ContainerCredentialStatus.NotFound, simulators.Status);
        Assert.Null(simulators.ContainerName);
        Assert.Equal($"none in the sandbox: {hostName} mounts nothing under {box.Root}, so it is the host's and is not judged", simulators.Detail);
        Assert.Equal(ContainerCredentialStatus.Current, Assert.Single(inSandbox, c => c.Consumer == box.Compute).Status);
    }
}
