// Docker inspect models are nullable-annotated throughout; a null here is a test failure anyway (NullReferenceException).
#nullable disable warnings

using System.Formats.Tar;
using System.Text;

using Docker.DotNet.Models;

using NodeAgent.Containers;

using static NodeAgent.IntegrationTests.Containers.ConsumerUpdaterTests;

namespace NodeAgent.IntegrationTests.Containers;

/// <summary>What a recreated clone keeps (and must not copy) from the original, beyond the basics in ConsumerUpdaterTests.</summary>
public sealed class RecreateShapeTests
{
    internal const string TemporaryKeyId = "ASIATEMPTEMPTEMP3333";
    internal const string NewToken = "IQoJb3JpZ2luX2VjEXAMPLEnewsessiontoken00000";

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

    [DockerFact]
    public async Task Update_adds_a_session_token_to_a_docker_env_consumer_that_lacks_one_when_the_new_keys_are_temporary()
    {
        await using var box = await DockerSandbox.CreateAsync();
        await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment);
        var temporary = new Dictionary<string, string>(NewEnvironment)
        {
            ["AWS_ACCESS_KEY_ID"] = TemporaryKeyId,
            ["AWS_SESSION_TOKEN"] = NewToken,
        };

        var outcomes = await Update(box, [box.DockerEnv], desired: temporary);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.True(outcome.Action == ContainerAction.Recreated, outcome.Reason);
        Assert.Contains("AWS_SESSION_TOKEN was missing from its environment", outcome.Reason);
        var fresh = await box.InspectAsync(outcome.ContainerId!);
        Assert.Contains($"AWS_SESSION_TOKEN={NewToken}", fresh.Config.Env);
        Assert.Contains($"AWS_ACCESS_KEY_ID={TemporaryKeyId}", fresh.Config.Env);
        Assert.DoesNotContain(NewToken, outcome.Reason, StringComparison.Ordinal);
    }

    [DockerFact]
    public async Task Update_keeps_the_data_of_an_anonymous_volume_across_a_recreate()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment, volumes: ["/data"]);
        await WriteFileAsync(box, oldId, "/data", "kept.txt", "written before the recreate");

        var outcomes = await Update(box, [box.DockerEnv]);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.True(outcome.Action == ContainerAction.Recreated, outcome.Reason);
        Assert.Equal("written before the recreate", await ReadFileAsync(box, outcome.ContainerId!, "/data/kept.txt"));
    }

    [DockerFact]
    public async Task Update_gives_a_recreated_consumer_its_own_default_hostname_not_the_originals_short_id()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment);

        var outcomes = await Update(box, [box.DockerEnv]);

        var fresh = await box.InspectAsync(Assert.Single(outcomes, o => o.Consumer == box.Simulators).ContainerId!);
        Assert.Equal(fresh.ID[..12], fresh.Config.Hostname);
        Assert.NotEqual(oldId[..12], fresh.Config.Hostname);
    }

    [DockerFact]
    public async Task Update_drops_the_originals_short_id_network_alias_and_keeps_the_configured_ones()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var network = $"{box.Project}_default";
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment, networks: [network]);
        Assert.Contains(oldId[..12], (await box.InspectAsync(oldId)).NetworkSettings.Networks[network].Aliases);

        var outcomes = await Update(box, [box.DockerEnv]);

        var fresh = await box.InspectAsync(Assert.Single(outcomes, o => o.Consumer == box.Simulators).ContainerId!);
        var aliases = fresh.NetworkSettings.Networks[network].Aliases;
        Assert.Contains(box.Simulators, aliases);
        Assert.DoesNotContain(oldId[..12], aliases);
    }

    [DockerFact]
    public async Task Update_refuses_to_recreate_while_a_parked_container_of_an_interrupted_recreate_exists_and_leaves_both_alone()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment);
        var name = (await box.InspectAsync(oldId)).Name.TrimStart('/');
        var parked = await CreateParkedAsync(box, name);
        var startedAt = (await box.InspectAsync(oldId)).State.StartedAt;

        var outcomes = await Update(box, [box.DockerEnv]);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.Equal(ContainerAction.Failed, outcome.Action);
        Assert.Equal($"not recreated although AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY in its environment were stale: {name}{ConsumerFinder.ParkedSuffix} exists, left by an interrupted earlier recreate", outcome.Reason);
        var still = await box.InspectAsync(name);
        Assert.Equal(oldId, still.ID);
        Assert.Equal(startedAt, still.State.StartedAt);
        Assert.True(await box.ExistsAsync(parked));
    }

    [DockerFact]
    public async Task Finder_skips_the_parked_container_of_an_interrupted_recreate_even_when_its_labels_match()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var current = await box.ComposeServiceAsync(box.Simulators, start: false);
        var parked = await CreateParkedAsync(box, (await box.InspectAsync(current)).Name.TrimStart('/'));

        var found = await new ConsumerFinder(DockerSandbox.Factory(box.Options()), box.Options()).FindAsync(CancellationToken.None);

        Assert.Equal(current, Assert.Single(found).Id);
        Assert.DoesNotContain(found, c => c.Id == parked);
    }

    [DockerFact]
    public async Task A_variable_new_in_docker_env_makes_a_docker_env_consumer_stale_for_verify_and_apply_adds_it()
    {
        await using var box = await DockerSandbox.CreateAsync();
        // Current keys, but started before S3_BUCKET_PROCESSED was passed through docker.env.
        var current = NewEnvironment.Select(e => $"{e.Key}={e.Value}").ToList();
        await box.ComposeServiceAsync(box.Simulators, env: current);
        await box.ComposeServiceAsync(box.Compute, env: ["SENSOR_ID=sim-7"]);
        var desired = new Dictionary<string, string>(NewEnvironment) { ["S3_BUCKET_PROCESSED"] = "expanso-processed-us-east-1" };
        var options = box.Options();
        var inspector = new ContainerCredentialInspector(DockerSandbox.Factory(options), options, TimeSpan.FromSeconds(1));

        var verified = await inspector.InspectAsync(new CurrentCredentials(desired, [box.DockerEnv]), CancellationToken.None);
        var outcomes = await Update(box, [box.DockerEnv], desired: desired);

        var stale = Assert.Single(verified, c => c.Consumer == box.Simulators);
        Assert.Equal(ContainerCredentialStatus.Stale, stale.Status);
        Assert.Equal("S3_BUCKET_PROCESSED was missing from its environment", stale.Detail);
        Assert.Equal(ContainerCredentialStatus.NoCredentials, Assert.Single(verified, c => c.Consumer == box.Compute).Status);
        var recreated = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.Equal(ContainerAction.Recreated, recreated.Action);
        Assert.Equal("recreated: S3_BUCKET_PROCESSED was missing from its environment", recreated.Reason);
        Assert.Contains("S3_BUCKET_PROCESSED=expanso-processed-us-east-1", (await box.InspectAsync(recreated.ContainerId!)).Config.Env);
        // Not started from docker.env (no AWS_ACCESS_KEY_ID): its environment is its own business.
        Assert.Equal(ContainerAction.Unchanged, Assert.Single(outcomes, o => o.Consumer == box.Compute).Action);
    }

    [DockerFact]
    public async Task On_the_instance_profile_a_consumer_still_holding_keys_is_stale_for_verify_and_recreated_without_them()
    {
        await using var box = await DockerSandbox.CreateAsync();
        await box.ComposeServiceAsync(box.Simulators, env: [.. OldEnvironment, "AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLEoldsessiontoken0000"]);
        await box.ComposeServiceAsync(box.Compute, env: ["SENSOR_ID=sim-7"]);
        // docker.env of an instance-profile host: region and buckets only.
        var keyless = NewEnvironment.Where(e => !e.Key.StartsWith("AWS_", StringComparison.Ordinal) || e.Key.EndsWith("REGION", StringComparison.Ordinal))
            .ToDictionary(e => e.Key, e => e.Value);
        string[] withdrawn = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];
        var options = box.Options();
        var inspector = new ContainerCredentialInspector(DockerSandbox.Factory(options), options, TimeSpan.FromSeconds(1));

        var verified = await inspector.InspectAsync(new CurrentCredentials(keyless, [box.DockerEnv]) { WithdrawnVariables = withdrawn }, CancellationToken.None);
        var updater = new ConsumerUpdater(DockerSandbox.Factory(options), options);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var outcomes = await updater.UpdateAsync(new ConsumerUpdateRequest([box.DockerEnv], keyless) { WithdrawnVariables = withdrawn }, limit.Token);

        var stale = Assert.Single(verified, c => c.Consumer == box.Simulators);
        Assert.Equal(ContainerCredentialStatus.Stale, stale.Status);
        Assert.Contains("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN in its environment are no longer issued", stale.Detail);
        var recreated = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.True(recreated.Action == ContainerAction.Recreated, recreated.Reason);
        var env = (await box.InspectAsync(recreated.ContainerId!)).Config.Env;
        Assert.DoesNotContain(env, e => e.StartsWith("AWS_ACCESS_KEY_ID=", StringComparison.Ordinal) || e.StartsWith("AWS_SECRET_ACCESS_KEY=", StringComparison.Ordinal) || e.StartsWith("AWS_SESSION_TOKEN=", StringComparison.Ordinal));
        Assert.Contains("S3_BUCKET_RAW=expanso-raw-data-us-east-1", env);
        Assert.Contains("SENSOR_ID=sim-7", env);
        Assert.Equal(ContainerAction.Unchanged, Assert.Single(outcomes, o => o.Consumer == box.Compute).Action);
        AssertNoSecrets(outcomes);

        // Once recreated, it is current: a second pass leaves it alone.
        var again = await updater.UpdateAsync(new ConsumerUpdateRequest([], keyless) { WithdrawnVariables = withdrawn }, limit.Token);
        Assert.Equal(ContainerAction.Unchanged, Assert.Single(again, o => o.Consumer == box.Simulators).Action);
    }

    [DockerFact]
    public async Task Back_on_static_keys_a_consumer_the_instance_profile_left_without_keys_gets_them_again_and_loses_a_stale_profile()
    {
        await using var box = await DockerSandbox.CreateAsync();
        // As the instance-profile switch left it: docker.env's region and buckets, no key, and a profile of a named deployment before it.
        var keyless = NewEnvironment.Where(e => !e.Key.StartsWith("AWS_", StringComparison.Ordinal) || e.Key.EndsWith("REGION", StringComparison.Ordinal))
            .Select(e => $"{e.Key}={e.Value}").Append("AWS_PROFILE=databricks").ToList();
        await box.ComposeServiceAsync(box.Simulators, env: keyless);
        await box.ComposeServiceAsync(box.Compute, env: ["SENSOR_ID=sim-7"]);

        var outcomes = await Update(box, [box.DockerEnv]);

        var recreated = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.True(recreated.Action == ContainerAction.Recreated, recreated.Reason);
        var env = (await box.InspectAsync(recreated.ContainerId!)).Config.Env;
        Assert.Contains($"AWS_ACCESS_KEY_ID={NewKeyId}", env);
        Assert.Contains($"AWS_SECRET_ACCESS_KEY={NewSecret}", env);
        Assert.DoesNotContain(env, e => e.StartsWith("AWS_PROFILE=", StringComparison.Ordinal));
        Assert.Equal(ContainerAction.Unchanged, Assert.Single(outcomes, o => o.Consumer == box.Compute).Action);
        AssertNoSecrets(outcomes);
    }

    [DockerFact]
    public async Task A_consumer_that_bind_mounts_a_removed_credentials_file_on_its_own_is_not_restarted_and_told_to_mount_the_directory()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var file = Path.Combine(box.RootAws, "credentials");
        await File.WriteAllTextAsync(file, "[default]\n");
        var id = await box.ComposeServiceAsync(box.Simulators, binds: [$"{file}:/root/.aws/credentials:ro"]);
        var startedAt = (await box.InspectAsync(id)).State.StartedAt;
        File.Delete(file); // what the instance-profile switch does
        var options = box.Options();
        var updater = new ConsumerUpdater(DockerSandbox.Factory(options), options);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var outcomes = await updater.UpdateAsync(new ConsumerUpdateRequest([file], new Dictionary<string, string>()) { RemovedPaths = [file] }, limit.Token);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.Equal(ContainerAction.Failed, outcome.Action);
        Assert.Contains($"bind-mounts the removed file {file} on its own", outcome.Reason);
        Assert.Contains($"{box.RootAws}:/root/.aws:ro", outcome.Fix);
        Assert.Equal(startedAt, (await box.InspectAsync(id)).State.StartedAt);
        Assert.False(Directory.Exists(file));
    }

    [DockerFact]
    public async Task On_the_instance_profile_a_bridge_consumer_gets_the_hop_limit_warning_and_a_host_network_one_does_not()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var keyless = new Dictionary<string, string> { ["AWS_REGION"] = "us-east-1", ["S3_BUCKET_RAW"] = "expanso-raw-data-us-east-1" };
        await box.ComposeServiceAsync(box.Simulators, env: keyless.Select(e => $"{e.Key}={e.Value}").ToList());
        await box.ComposeServiceAsync(box.Compute, env: ["SENSOR_ID=sim-7"], networkMode: "host");
        var options = box.Options();
        var probe = new NodeAgent.Probes.ContainerStateProbe(
            new ContainerCredentialInspector(DockerSandbox.Factory(options), options, TimeSpan.FromSeconds(1)),
            new CurrentCredentials(keyless, [box.DockerEnv]) { WithdrawnVariables = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] });

        var rows = await probe.RunAsync(CancellationToken.None);

        var bridge = Assert.Single(rows, r => r.Target.EndsWith($"{box.Simulators}-1 network", StringComparison.Ordinal));
        Assert.Equal(NodeAgent.Probes.ProbeStatus.Warning, bridge.Status);
        Assert.Contains("network mode bridge", bridge.Detail);
        Assert.Contains("--http-put-response-hop-limit 2", bridge.Fix);
        var host = Assert.Single(rows, r => r.Target.EndsWith($"{box.Compute}-1 network", StringComparison.Ordinal));
        Assert.Equal(NodeAgent.Probes.ProbeStatus.Ok, host.Status);
        Assert.Contains("network mode host", host.Detail);
    }

    [DockerFact]
    public async Task Update_leaves_a_paused_stale_consumer_paused_and_untouched_and_says_so()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment);
        await box.Client.Containers.PauseContainerAsync(oldId);
        var startedAt = (await box.InspectAsync(oldId)).State.StartedAt;

        var outcomes = await Update(box, [box.DockerEnv]);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.Equal(ContainerAction.Failed, outcome.Action);
        Assert.Equal("was paused; left alone (not recreated, which would unpause it), so it still has the old credentials: "
            + "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY in its environment were stale", outcome.Reason);
        Assert.StartsWith("docker unpause ", outcome.Fix);
        var still = await box.InspectAsync(oldId);
        Assert.True(still.State.Paused);
        Assert.Equal(startedAt, still.State.StartedAt);
        Assert.Contains($"AWS_ACCESS_KEY_ID={OldKeyId}", still.Config.Env);
    }

    // Like the original parked by a recreate: NAME-nodeagent-old, with the compose labels of the service.
    private static async Task<string> CreateParkedAsync(DockerSandbox box, string name)
    {
        var created = await box.Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name + ConsumerFinder.ParkedSuffix,
            Image = DockerSandbox.Image,
            Cmd = DockerSandbox.SleepForever,
            Labels = new Dictionary<string, string> { ["com.docker.compose.project"] = box.Project, ["com.docker.compose.service"] = box.Simulators },
        });
        return created.ID;
    }

    private static async Task WriteFileAsync(DockerSandbox box, string id, string directory, string file, string content)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, file) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
            writer.WriteEntry(entry);
        }

        tar.Position = 0;
        await box.Client.Containers.ExtractArchiveToContainerAsync(id, new CopyToContainerParameters { Path = directory }, tar);
    }

    private static async Task<string> ReadFileAsync(DockerSandbox box, string id, string path)
    {
        var archive = await box.Client.Containers.GetArchiveFromContainerAsync(id, new ContainerPathStatParameters { Path = path }, statOnly: false);
        using var reader = new TarReader(archive.Stream);
        var entry = await reader.GetNextEntryAsync(copyData: true);
        using var text = new StreamReader(entry.DataStream);
        return await text.ReadToEndAsync();
    }
}
