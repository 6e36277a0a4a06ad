// Docker inspect models are nullable-annotated throughout; a null here is a test failure anyway (NullReferenceException).
#nullable disable warnings

using NodeAgent.Containers;

using static NodeAgent.IntegrationTests.Containers.ConsumerUpdaterTests;

namespace NodeAgent.IntegrationTests.Containers;

/// <summary>What a recreated clone keeps (and must not copy) from the original, beyond the basics in ConsumerUpdaterTests.</summary>
public sealed class RecreateShapeTests
{
    [DockerFact]
    public async Task Update_recreates_a_consumer_that_shares_another_containers_network_keeping_that_network_mode()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var owner = await box.ComposeServiceAsync("netowner");
        var mode = $"container:{owner}";
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment, networkMode: mode);

        var outcomes = await Update(box, [box.DockerEnv]);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.True(outcome.Action == ContainerAction.Recreated, outcome.Reason);
        Assert.NotEqual(oldId, outcome.ContainerId);
        var fresh = await box.InspectAsync(outcome.ContainerId!);
        Assert.Equal(mode, fresh.HostConfig.NetworkMode);
        Assert.True(fresh.State.Running);
        Assert.Contains($"AWS_ACCESS_KEY_ID={NewKeyId}", fresh.Config.Env);
        AssertNoSecrets(outcomes);
    }
}
