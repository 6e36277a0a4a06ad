// Docker inspect models are nullable-annotated throughout; a null here is a test failure anyway (NullReferenceException).
#nullable disable warnings

using System.Diagnostics;

using Docker.DotNet.Models;

using NodeAgent.Cli;
using NodeAgent.Containers;

namespace NodeAgent.IntegrationTests.Containers;

/// <summary>
/// An apply interrupted (Ctrl-C, systemctl stop) in the middle of a container swap must leave the consumer running
/// under its own name, never stopped or parked as NAME-nodeagent-old (which would also make the next apply refuse).
/// </summary>
public sealed class InterruptedRecreateTests
{
    [DockerTheory]
    [InlineData(nameof(RecreateStep.Stopped))]
    [InlineData(nameof(RecreateStep.Parked))]
    [InlineData(nameof(RecreateStep.Created))]
    [InlineData(nameof(RecreateStep.Started))]
    public async Task A_recreate_interrupted_after_any_step_puts_the_original_back_running_under_its_name(string step)
    {
        var interruptedAfter = Enum.Parse<RecreateStep>(step);
        await using var box = await DockerSandbox.CreateAsync();
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: ConsumerUpdaterTests.OldEnvironment);
        var old = await box.InspectAsync(oldId);
        var name = old.Name.TrimStart('/');
        using var caller = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stepsSeen = new List<RecreateStep>();
        var recreator = new ContainerRecreator(box.Client, TimeSpan.FromSeconds(30), DockerClientFactory.DefaultRequestTimeout)
        {
            AfterStep = done =>
            {
                stepsSeen.Add(done);
                if (done == interruptedAfter)
                {
                    caller.Cancel();
                }

                return Task.CompletedTask;
            },
        };
        var container = new ConsumerContainer(box.Simulators, oldId, name, "compose name", "running");
        string[] newEnvironment = [.. ConsumerUpdaterTests.OldEnvironment.Select(e => e.StartsWith("AWS_ACCESS_KEY_ID=", StringComparison.Ordinal)
            ? "AWS_ACCESS_KEY_ID=" + ConsumerUpdaterTests.NewKeyId
            : e)];

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => recreator.RecreateAsync(container, old, newEnvironment, "AWS_ACCESS_KEY_ID was stale", caller.Token));

        Assert.Equal(interruptedAfter, stepsSeen[^1]);
        var restored = await box.InspectAsync(name);
        Assert.Equal(oldId, restored.ID);
        Assert.True(restored.State.Running, $"the original is {restored.State.Status} after an interrupt after {interruptedAfter}");
        Assert.Contains($"AWS_ACCESS_KEY_ID={ConsumerUpdaterTests.OldKeyId}", restored.Config.Env);
        Assert.False(await box.ExistsAsync(name + ConsumerFinder.ParkedSuffix));
        Assert.Single(await ProjectContainersAsync(box));

        // And nothing is left that would make the next apply refuse: it recreates as usual.
        var next = await ConsumerUpdaterTests.Update(box, [box.DockerEnv]);
        Assert.Equal(ContainerAction.Recreated, Assert.Single(next, o => o.Consumer == box.Simulators).Action);
    }

    [DockerFact]
    public async Task Sigterm_while_apply_stops_a_consumer_for_a_recreate_exits_130_with_the_consumer_running_under_its_name()
    {
        await using var box = await DockerSandbox.CreateAsync();
        using var sandbox = new Sandbox(box.Root);
        var config = sandbox.WriteConfig($"containers:\n  names: [{box.Simulators}, {box.Compute}]\n  restart_timeout_seconds: 30\n");

        // The consumer notes Docker's stop signal in a file, then keeps running until the stop grace period ends
        // in a kill: that file appearing is the moment apply is inside the swap, waiting for the stop.
        var marks = Path.Combine(box.Root, "srv", "marks");
        Directory.CreateDirectory(marks);
        var stopping = Path.Combine(marks, "stopping");
        var oldId = await box.ComposeServiceAsync(box.Simulators,
            env: ConsumerUpdaterTests.OldEnvironment,
            binds: [$"{marks}:/marks"],
            cmd: ["sh", "-c", "trap 'echo stop > /marks/stopping' TERM; while true; do sleep 0.2; done"],
            stopTimeout: TimeSpan.FromSeconds(2));
        var name = (await box.InspectAsync(oldId)).Name.TrimStart('/');

        using var apply = StartNodeagent("apply", "--config", config, "--root", box.Root, "--sources", sandbox.Sources);
        var output = apply.StandardOutput.ReadToEndAsync();
        var error = apply.StandardError.ReadToEndAsync();
        try
        {
            using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            {
                while (!File.Exists(stopping))
                {
                    if (apply.HasExited)
                    {
                        Assert.Fail($"apply ended before it stopped the consumer: exit {apply.ExitCode}\n{await output}\n{await error}");
                    }

                    await Task.Delay(50, limit.Token);
                }
            }

            using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", apply.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!)
            {
                await kill.WaitForExitAsync();
                Assert.True(kill.ExitCode == 0, $"kill -TERM {apply.Id}: exit {kill.ExitCode}; apply exited: {apply.HasExited}\n{(apply.HasExited ? await output + await error : "")}");
            }

            using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            {
                await apply.WaitForExitAsync(limit.Token);
            }
        }
        finally
        {
            // A failed assertion above must not leave an apply running against the daemon (it would hold the lock
            // and keep recreating containers of a removed sandbox).
            if (!apply.HasExited)
            {
                apply.Kill(entireProcessTree: true);
            }
        }

        var run = new CliRun(apply.ExitCode, await output, await error);
        Assert.True(run.ExitCode == ExitCodes.Interrupted, run.ToString());
        Assert.Contains("interrupted", run.Error, StringComparison.Ordinal);
        TestData.AssertNoSecret(run.Output);
        TestData.AssertNoSecret(run.Error);

        var restored = await box.InspectAsync(name);
        Assert.Equal(oldId, restored.ID);
        Assert.True(restored.State.Running, $"the consumer is {restored.State.Status}\n{run}");
        Assert.False(await box.ExistsAsync(name + ConsumerFinder.ParkedSuffix));
        Assert.Single(await ProjectContainersAsync(box));
    }

    /// <summary>The built nodeagent (the test output holds it next to the tests), as its own process.</summary>
    private static Process StartNodeagent(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "nodeagent.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet, [dll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("DOCKER_HOST");
        return Process.Start(start)!;
    }

    private static async Task<IList<ContainerListResponse>> ProjectContainersAsync(DockerSandbox box) =>
        await box.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"com.docker.compose.project={box.Project}"] = true },
            },
        });
}
