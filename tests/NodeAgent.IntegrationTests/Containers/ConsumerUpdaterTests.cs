// Docker inspect models are nullable-annotated throughout; a null here is a test failure anyway (NullReferenceException).
#nullable disable warnings

using System.Globalization;

using Docker.DotNet.Models;

using NodeAgent.Containers;

namespace NodeAgent.IntegrationTests.Containers;

public sealed class ConsumerUpdaterTests
{
    internal const string OldKeyId = "AKIAOLDOLDOLDOLD1111";
    internal const string OldSecret = "oLdSeCrEt+0000000000000000000000000000000";
    internal const string OldToken = "FwoGZXIvYXdzOLDsessiontoken000000000000000";
    internal const string NewKeyId = "AKIANEWNEWNEWNEW2222";
    internal const string NewSecret = "nEwSeCrEt+1111111111111111111111111111111";
    internal static readonly string[] AllValues = [OldKeyId, OldSecret, OldToken, NewKeyId, NewSecret];

    internal static readonly Dictionary<string, string> NewEnvironment = new()
    {
        ["AWS_ACCESS_KEY_ID"] = NewKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = NewSecret,
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_REGION"] = "us-east-1",
        ["S3_BUCKET_RAW"] = "expanso-raw-data-us-east-1",
    };

    internal static readonly string[] OldEnvironment =
    [
        $"AWS_ACCESS_KEY_ID={OldKeyId}",
        $"AWS_SECRET_ACCESS_KEY={OldSecret}",
        "AWS_DEFAULT_REGION=us-east-1",
        "AWS_REGION=us-east-1",
        "S3_BUCKET_RAW=expanso-raw-data-us-east-1",
        "SENSOR_ID=sim-7",
    ];

    [DockerFact]
    public async Task Update_restarts_a_consumer_that_bind_mounts_a_changed_aws_directory_and_keeps_its_id()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var id = await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws:ro", $"{box.UbuntuAws}:/home/ubuntu/.aws:ro"]);
        var startedBefore = (await box.InspectAsync(id)).State.StartedAt;

        var outcomes = await Update(box, [box.RootCredentials]);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Compute);
        Assert.Equal(ContainerAction.Restarted, outcome.Action);
        Assert.Equal($"restarted: bind mount {box.RootAws} contains changed {box.RootCredentials}", outcome.Reason);
        Assert.Equal(id, outcome.ContainerId);
        var after = await box.InspectAsync(id);
        Assert.NotEqual(startedBefore, after.State.StartedAt);
        Assert.True(after.State.Running);
        AssertNoSecrets(outcomes);
    }

    [DockerFact]
    public async Task Update_restarts_a_consumer_with_a_single_file_bind_mount_because_it_still_sees_the_old_inode()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var id = await box.ComposeServiceAsync(box.Compute, binds: [$"{box.DockerEnv}:/app/docker.env:ro"]);
        var startedBefore = (await box.InspectAsync(id)).State.StartedAt;

        var outcomes = await Update(box, [box.DockerEnv]);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Compute);
        Assert.Equal(ContainerAction.Restarted, outcome.Action);
        Assert.Contains($"single-file bind mount {box.DockerEnv}", outcome.Reason);
        Assert.NotEqual(startedBefore, (await box.InspectAsync(id)).State.StartedAt);
    }

    [DockerFact]
    public async Task Update_recreates_a_consumer_with_a_stale_environment_keeping_name_image_labels_mounts_healthcheck_and_restart_policy()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var health = new HealthcheckConfig { Test = ["CMD", "test", "-d", "/root/.aws"], Interval = TimeSpan.FromMilliseconds(300), Retries = 3 };
        var networks = new[] { $"{box.Project}_default", $"{box.Project}_backend" };
        var oldId = await box.ComposeServiceAsync(
            box.Simulators, binds: [$"{box.RootAws}:/root/.aws:ro"], env: OldEnvironment, healthcheck: health, networks: networks);
        var old = await box.InspectAsync(oldId);

        var outcomes = await Update(box, [box.RootCredentials, box.DockerEnv]);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.Equal(ContainerAction.Recreated, outcome.Action);
        Assert.StartsWith("recreated: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY in its environment were stale", outcome.Reason);
        Assert.NotEqual(oldId, outcome.ContainerId);
        Assert.False(await box.ExistsAsync(oldId));
        Assert.False(await box.ExistsAsync(old.Name.TrimStart('/') + ConsumerFinder.ParkedSuffix));

        var fresh = await box.InspectAsync(outcome.ContainerId!);
        Assert.Equal(old.Name, fresh.Name);
        Assert.Equal(old.Image, fresh.Image);
        Assert.Equal(old.Config.Image, fresh.Config.Image);
        Assert.Equal(old.Config.Cmd, fresh.Config.Cmd);
        Assert.Equal(old.Config.WorkingDir, fresh.Config.WorkingDir);
        Assert.Equal(old.Config.Labels, fresh.Config.Labels);
        Assert.Equal(old.HostConfig.Binds, fresh.HostConfig.Binds);
        Assert.Equal(old.HostConfig.RestartPolicy.Name, fresh.HostConfig.RestartPolicy.Name);
        Assert.Equal(old.Config.Healthcheck.Test, fresh.Config.Healthcheck.Test);
        Assert.Equal(old.HostConfig.NetworkMode, fresh.HostConfig.NetworkMode);
        Assert.Equal(networks.Order(), fresh.NetworkSettings.Networks.Keys.Order());
        Assert.All(networks, n => Assert.Contains(box.Simulators, fresh.NetworkSettings.Networks[n].Aliases));
        Assert.True(fresh.State.Running);
        Assert.Equal("healthy", fresh.State.Health.Status);
        Assert.Contains($"AWS_ACCESS_KEY_ID={NewKeyId}", fresh.Config.Env);
        Assert.Contains($"AWS_SECRET_ACCESS_KEY={NewSecret}", fresh.Config.Env);
        Assert.Contains("SENSOR_ID=sim-7", fresh.Config.Env);
        Assert.DoesNotContain(fresh.Config.Env, e => e.Contains(OldSecret, StringComparison.Ordinal));
        AssertNoSecrets(outcomes);
    }

    [DockerFact]
    public async Task Update_recreates_every_replica_of_a_consumer_one_after_the_other()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var first = await box.ComposeServiceAsync(box.Simulators, index: 1, env: OldEnvironment);
        var second = await box.ComposeServiceAsync(box.Simulators, index: 2, env: OldEnvironment);

        var outcomes = await Update(box, [box.DockerEnv]);

        var replicas = outcomes.Where(o => o.Consumer == box.Simulators).ToList();
        Assert.Equal(2, replicas.Count);
        Assert.All(replicas, r => Assert.Equal(ContainerAction.Recreated, r.Action));
        Assert.Equal([$"{box.Project}-{box.Simulators}-1", $"{box.Project}-{box.Simulators}-2"], replicas.Select(r => r.ContainerName));
        Assert.DoesNotContain(replicas, r => r.ContainerId == first || r.ContainerId == second);
        foreach (var r in replicas)
        {
            Assert.Contains($"AWS_SECRET_ACCESS_KEY={NewSecret}", (await box.InspectAsync(r.ContainerId!)).Config.Env);
        }
    }

    [DockerFact]
    public async Task Update_restarts_different_consumers_side_by_side_and_replicas_of_one_in_turn()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var binds = new[] { $"{box.RootAws}:/root/.aws:ro" };
        await box.ComposeServiceAsync(box.Compute, binds: binds);
        await box.ComposeServiceAsync(box.Simulators, index: 1, binds: binds);
        await box.ComposeServiceAsync(box.Simulators, index: 2, binds: binds);

        var outcomes = await Update(box, [box.RootCredentials]);

        Assert.All(outcomes, o => Assert.Equal(ContainerAction.Restarted, o.Action));
        Assert.Equal([box.Simulators, box.Simulators, box.Compute], outcomes.Select(o => o.Consumer));
        var started = new Dictionary<string, DateTime>();
        foreach (var o in outcomes)
        {
            started[o.ContainerName] = DateTime.Parse((await box.InspectAsync(o.ContainerId!)).State.StartedAt, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        }

        // Docker's own start times, not this test's clock: one after the other, each restart waits out the
        // stability window before the next begins, so two consumers started within one window ran side by side.
        var compute = started[$"{box.Project}-{box.Compute}-1"];
        var replica1 = started[$"{box.Project}-{box.Simulators}-1"];
        var replica2 = started[$"{box.Project}-{box.Simulators}-2"];
        Assert.True((compute - replica1).Duration() < ContainerReadiness.StabilityWindow, $"compute {compute:O}, simulators-1 {replica1:O}");
        Assert.True(replica2 - replica1 >= ContainerReadiness.StabilityWindow, $"simulators-1 {replica1:O}, simulators-2 {replica2:O}");
    }

    [DockerFact]
    public async Task Update_leaves_consumers_that_read_nothing_changed_and_unrelated_containers_alone()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var consumer = await box.ComposeServiceAsync(box.Compute, binds: [$"{box.Unrelated}:/srv/data:ro"]);
        var unrelated = await box.ComposeServiceAsync("postgres", binds: [$"{box.RootAws}:/root/.aws:ro"], env: OldEnvironment);
        var consumerStarted = (await box.InspectAsync(consumer)).State.StartedAt;
        var unrelatedStarted = (await box.InspectAsync(unrelated)).State.StartedAt;

        var outcomes = await Update(box, [box.RootCredentials, box.DockerEnv]);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Compute);
        Assert.Equal(ContainerAction.Unchanged, outcome.Action);
        Assert.Equal(consumer, outcome.ContainerId);
        Assert.Equal(consumerStarted, (await box.InspectAsync(consumer)).State.StartedAt);
        Assert.DoesNotContain(outcomes, o => o.ContainerId == unrelated);
        Assert.Equal(unrelatedStarted, (await box.InspectAsync(unrelated)).State.StartedAt);
    }

    [DockerFact]
    public async Task A_second_update_with_nothing_changed_restarts_and_recreates_nothing()
    {
        await using var box = await DockerSandbox.CreateAsync();
        await box.ComposeServiceAsync(box.Simulators, binds: [$"{box.RootAws}:/root/.aws:ro"], env: OldEnvironment);
        await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws:ro"]);
        var first = await Update(box, [box.RootCredentials, box.DockerEnv]);
        Assert.Contains(first, o => o.Action == ContainerAction.Recreated);
        Assert.Contains(first, o => o.Action == ContainerAction.Restarted);
        var started = new Dictionary<string, string>();
        foreach (var o in first)
        {
            started[o.ContainerId!] = (await box.InspectAsync(o.ContainerId!)).State.StartedAt;
        }

        var second = await Update(box, []);

        Assert.Equal(2, second.Count);
        Assert.All(second, o => Assert.Equal(ContainerAction.Unchanged, o.Action));
        foreach (var o in second)
        {
            Assert.Equal(started[o.ContainerId!], (await box.InspectAsync(o.ContainerId!)).State.StartedAt);
        }
    }

    [DockerFact]
    public async Task Update_puts_the_previous_container_back_when_the_recreated_one_never_becomes_healthy()
    {
        await using var box = await DockerSandbox.CreateAsync();
        // Healthy only with the old key: the clone (new key) can never become healthy.
        var health = new HealthcheckConfig
        {
            Test = ["CMD-SHELL", $"test \"$AWS_ACCESS_KEY_ID\" = {OldKeyId}"],
            Interval = TimeSpan.FromMilliseconds(300),
            Retries = 1,
        };
        var oldId = await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment, healthcheck: health);
        var name = (await box.InspectAsync(oldId)).Name;

        var outcomes = await Update(box, [box.DockerEnv], restartTimeoutSeconds: 3);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.Equal(ContainerAction.Failed, outcome.Action);
        Assert.Contains("previous container was put back", outcome.Reason);
        Assert.Contains("not ready within 3 s (containers.restart_timeout_seconds)", outcome.Reason);
        Assert.NotNull(outcome.Fix);
        var restored = await box.InspectAsync(name.TrimStart('/'));
        Assert.Equal(oldId, restored.ID);
        Assert.Contains($"AWS_ACCESS_KEY_ID={OldKeyId}", restored.Config.Env);
        await box.WaitRunningAsync(oldId);
        Assert.False(await box.ExistsAsync(name.TrimStart('/') + ConsumerFinder.ParkedSuffix));
        var all = await box.Client.Containers.ListContainersAsync(new ContainersListParameters { All = true });
        Assert.Single(all, c => c.Labels.TryGetValue("com.docker.compose.project", out var p) && p == box.Project);
        AssertNoSecrets(outcomes);
    }

    [DockerFact]
    public async Task Update_recreates_a_stopped_consumer_with_a_stale_environment_but_leaves_it_stopped()
    {
        await using var box = await DockerSandbox.CreateAsync();
        await box.ComposeServiceAsync(box.Simulators, env: OldEnvironment, start: false);
        var mountOnly = await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws:ro"], start: false);

        var outcomes = await Update(box, [box.RootCredentials, box.DockerEnv]);

        var recreated = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.Equal(ContainerAction.Recreated, recreated.Action);
        Assert.Contains("left stopped", recreated.Reason);
        var fresh = await box.InspectAsync(recreated.ContainerId!);
        Assert.False(fresh.State.Running);
        Assert.Contains($"AWS_SECRET_ACCESS_KEY={NewSecret}", fresh.Config.Env);
        var untouched = Assert.Single(outcomes, o => o.Consumer == box.Compute);
        Assert.Equal(ContainerAction.Unchanged, untouched.Action);
        Assert.False((await box.InspectAsync(mountOnly)).State.Running);
    }

    [DockerFact]
    public async Task Update_drops_an_old_session_token_when_the_new_credentials_are_long_lived()
    {
        await using var box = await DockerSandbox.CreateAsync();
        await box.ComposeServiceAsync(box.Simulators, env: [.. OldEnvironment, $"AWS_SESSION_TOKEN={OldToken}"]);

        var outcomes = await Update(box, [box.DockerEnv]);

        var outcome = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.Equal(ContainerAction.Recreated, outcome.Action);
        Assert.Contains("AWS_SESSION_TOKEN in its environment is no longer issued", outcome.Reason);
        Assert.DoesNotContain((await box.InspectAsync(outcome.ContainerId!)).Config.Env, e => e.StartsWith("AWS_SESSION_TOKEN=", StringComparison.Ordinal));
        AssertNoSecrets(outcomes);
    }

    [DockerFact]
    public async Task Update_reports_NotFound_for_a_consumer_without_containers_and_still_handles_the_others()
    {
        await using var box = await DockerSandbox.CreateAsync();
        await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws:ro"]);

        var outcomes = await Update(box, [box.RootCredentials]);

        var missing = Assert.Single(outcomes, o => o.Consumer == box.Simulators);
        Assert.Equal(ContainerAction.NotFound, missing.Action);
        Assert.Null(missing.ContainerName);
        Assert.Contains($"com.docker.compose.service={box.Simulators}", missing.Reason);
        Assert.Equal(ContainerAction.Restarted, Assert.Single(outcomes, o => o.Consumer == box.Compute).Action);
    }

    [DockerFact]
    public async Task Finder_matches_exact_name_compose_name_and_compose_label_and_lists_stopped_containers()
    {
        await using var box = await DockerSandbox.CreateAsync();
        var byCompose = await box.ComposeServiceAsync(box.Simulators, start: false);
        var exact = await box.Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = box.Compute,
            Image = DockerSandbox.Image,
            Cmd = DockerSandbox.SleepForever,
            Labels = new Dictionary<string, string> { ["com.docker.compose.project"] = box.Project },
        });
        var byLabel = await box.Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = $"{box.Project}-custom-name",
            Image = DockerSandbox.Image,
            Cmd = DockerSandbox.SleepForever,
            Labels = new Dictionary<string, string> { ["com.docker.compose.project"] = box.Project, ["com.docker.compose.service"] = box.Compute },
        });

        var found = await new ConsumerFinder(DockerSandbox.Factory(box.Options()), box.Options()).FindAsync(CancellationToken.None);

        Assert.Equal("compose name", Assert.Single(found, c => c.Id == byCompose).MatchedBy);
        Assert.Equal("name", Assert.Single(found, c => c.Id == exact.ID).MatchedBy);
        Assert.Equal("compose label", Assert.Single(found, c => c.Id == byLabel.ID).MatchedBy);
        Assert.All(found, c => Assert.False(c.IsRunning));
    }

    internal static async Task<IReadOnlyList<ContainerOutcome>> Update(
        DockerSandbox box, string[] changed, int restartTimeoutSeconds = 30, IReadOnlyDictionary<string, string>? desired = null)
    {
        var options = box.Options(restartTimeoutSeconds);
        var updater = new ConsumerUpdater(DockerSandbox.Factory(options), options);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await updater.UpdateAsync(new ConsumerUpdateRequest(changed, desired ?? NewEnvironment), limit.Token);
    }

    internal static void AssertNoSecrets(IEnumerable<ContainerOutcome> outcomes)
    {
        foreach (var o in outcomes)
        {
            foreach (var value in AllValues)
            {
                Assert.DoesNotContain(value, o.Reason, StringComparison.Ordinal);
                Assert.DoesNotContain(value, o.Fix ?? "", StringComparison.Ordinal);
            }
        }
    }
}
