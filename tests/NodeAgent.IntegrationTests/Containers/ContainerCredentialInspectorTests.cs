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

    private static async Task<IReadOnlyList<ContainerCredentialCheck>> Inspect(DockerSandbox box)
    {
        var options = box.Options();
        var inspector = new ContainerCredentialInspector(DockerSandbox.Factory(options), options, TimeSpan.FromSeconds(1));
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
