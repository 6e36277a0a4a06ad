#nullable disable warnings

using NodeAgent.Cli;
using NodeAgent.IntegrationTests.Containers;
using NodeAgent.IntegrationTests.Fixtures;
using NodeAgent.Sources;

namespace NodeAgent.IntegrationTests.Daemon;

/// <summary>
/// `nodeagent run` as a process against moto_server (signatures and IAM policies checked) and the real dockerd:
/// verified rotation, rejected keys, and recovery from an AWS or Docker outage without restarting the agent.
/// </summary>
[Collection(MotoServerCollection.Name)]
public sealed class DaemonServiceTests(MotoServerFixture moto)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(45);
    private static readonly string[] AllActions = ["s3:ListBucket", "s3:GetBucketLocation", "s3:PutObject", "s3:GetObject", "s3:DeleteObject"];
    private static readonly List<string> Buckets = MotoServerFixture.RoleBuckets.Select(b => b.Name).ToList();

    [DockerFact]
    public async Task New_keys_are_proved_then_placed_and_consumers_follow_while_keys_AWS_rejects_are_never_placed()
    {
        await using var box = await DockerSandbox.CreateAsync();
        using var sandbox = new Sandbox(box.Root);
        var first = await UserAsync();
        WriteSources(sandbox, first);
        var config = Config(sandbox, moto.Endpoint, $"[{box.Simulators}, {box.Compute}]");
        Assert.Equal(ExitCodes.Ok, (await sandbox.RunAsync("apply", "--config", config, "--root", sandbox.Root, "--sources", sandbox.Sources, "--no-restart")).ExitCode);
        var (simulators, compute) = await ConsumersAsync(box, sandbox);

        using var notify = new NotifySocket();
        using var daemon = Start(notify, sandbox, config);
        await notify.WaitForStatusAsync(s => Clean(s) && s.Contains("probes ok", StringComparison.Ordinal), Within, "a clean STATUS with probes");

        // A valid new key: proved first, then placed; the env consumer is recreated, the mount consumer restarted.
        var second = await UserAsync();
        var computeStarted = (await box.InspectAsync(compute)).State.StartedAt;
        WriteSources(sandbox, second);
        await daemon.WaitForErrorAsync(e => e.Contains("after verifying the new key", StringComparison.Ordinal), Within, "the verified rotation");
        await notify.WaitForStatusAsync(s => Clean(s), Within, "a clean STATUS after the rotation", notify.Received.Count);
        Assert.Contains(second.SecretAccessKey.Reveal(), File.ReadAllText(box.RootCredentials), StringComparison.Ordinal);
        var recreated = await box.InspectAsync($"{box.Project}-{box.Simulators}-1");
        Assert.NotEqual(simulators, recreated.ID);
        Assert.Contains($"AWS_ACCESS_KEY_ID={second.AccessKeyId.Reveal()}", recreated.Config.Env);
        Assert.NotEqual(computeStarted, (await box.InspectAsync(compute)).State.StartedAt);

        // The right key with a wrong secret: AWS says SignatureDoesNotMatch, and nothing moves.
        var placed = File.ReadAllText(box.RootCredentials);
        sandbox.WriteSources(second.AccessKeyId.Reveal(), "WrOnGsEcReTkEyWrOnGsEcReTkEyWrOnGsEcReT0", MotoServerFixture.Region, Buckets);
        var rejected = await notify.WaitForStatusAsync(s => s.StartsWith("new credentials rejected", StringComparison.Ordinal), Within, "the rejection", notify.Received.Count);
        Assert.Contains($"still using {second.AccessKeyId.Masked}", rejected, StringComparison.Ordinal);
        Assert.Equal(placed, File.ReadAllText(box.RootCredentials));
        Assert.Equal(recreated.ID, (await box.InspectAsync($"{box.Project}-{box.Simulators}-1")).ID);
        Assert.Contains(daemon.Error.Split('\n'), l => l.Contains("ERR rotation: new credentials rejected", StringComparison.Ordinal));

        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync(Within));
        AssertNoSecretOf(daemon, sandbox, first, second);
    }

    [Fact]
    public async Task AWS_going_away_is_reported_and_the_daemon_recovers_by_itself_when_it_comes_back()
    {
        using var sandbox = new Sandbox();
        var user = await UserAsync();
        WriteSources(sandbox, user);
        using var proxy = new SwitchableProxy(new Uri(moto.Endpoint).Port);
        using var notify = new NotifySocket();
        using var daemon = Start(notify, sandbox, Config(sandbox, proxy.Url, "[]", probeInterval: 2));
        await notify.WaitForStatusAsync(s => Clean(s) && s.Contains("probes ok", StringComparison.Ordinal), Within, "a clean STATUS with probes");

        proxy.Down = true;
        var outage = await notify.WaitForStatusAsync(s => !Clean(s), Within, "the outage", notify.Received.Count);
        Assert.Contains("identity sts", outage, StringComparison.Ordinal);
        Assert.False(daemon.HasExited);

        proxy.Down = false;
        await notify.WaitForStatusAsync(s => Clean(s) && s.Contains("probes ok", StringComparison.Ordinal), Within, "recovery", notify.Received.Count);
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync(Within));
        AssertNoSecretOf(daemon, sandbox, user);
    }

    [DockerFact]
    public async Task Docker_unreachable_is_reported_and_a_reload_with_the_right_endpoint_recovers()
    {
        await using var box = await DockerSandbox.CreateAsync();
        using var sandbox = new Sandbox(box.Root);
        var user = await UserAsync();
        WriteSources(sandbox, user);
        var good = Config(sandbox, moto.Endpoint, $"[{box.Simulators}, {box.Compute}]");
        Assert.Equal(ExitCodes.Ok, (await sandbox.RunAsync("apply", "--config", good, "--root", sandbox.Root, "--sources", sandbox.Sources, "--no-restart")).ExitCode);
        await ConsumersAsync(box, sandbox);
        var goodText = File.ReadAllText(good);
        File.WriteAllText(good, goodText.Replace("unix:///var/run/docker.sock", "unix:///nonexistent/docker.sock", StringComparison.Ordinal));

        using var notify = new NotifySocket();
        using var daemon = Start(notify, sandbox, good);
        var down = await notify.WaitForStatusAsync(s => s.StartsWith("container ", StringComparison.Ordinal), Within, "the Docker failure");
        Assert.Contains("nonexistent", down, StringComparison.Ordinal);

        File.WriteAllText(good, goodText);
        daemon.Signal("HUP");
        await notify.WaitForStatusAsync(s => Clean(s) && s.Contains("2/2 containers ok", StringComparison.Ordinal), Within, "recovery after the reload", notify.Received.Count);
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync(Within));
        AssertNoSecretOf(daemon, sandbox, user);
    }

    private static void WriteSources(Sandbox sandbox, AwsCredentials user) =>
        sandbox.WriteSources(user.AccessKeyId.Reveal(), user.SecretAccessKey.Reveal(), MotoServerFixture.Region, Buckets);

    private static string Config(Sandbox sandbox, string endpoint, string containers, int probeInterval = 86400, string dockerHost = "unix:///var/run/docker.sock") =>
        sandbox.WriteConfig($"""
            daemon:
              settle_seconds: 1
              drift_interval_seconds: 3600
              probe_interval_seconds: {probeInterval}
            containers:
              names: {containers}
              docker_host: {dockerHost}
              restart_timeout_seconds: 20
            s3:
              endpoint: {endpoint}
            sts:
              endpoint: {endpoint}
            probes:
              timeout_seconds: 2
            """);

    /// <summary>A STATUS with no failure in front: "8/8 files ok, …".</summary>
    private static bool Clean(string status) => System.Text.RegularExpressions.Regex.IsMatch(status, @"^\d+/\d+ files ok");

    private static DaemonProcess Start(NotifySocket notify, Sandbox sandbox, string config) =>
        DaemonProcess.Start(notify, ["--config", config, "--root", sandbox.Root, "--sources", sandbox.Sources]);

    private static void AssertNoSecretOf(DaemonProcess daemon, Sandbox sandbox, params AwsCredentials[] users)
    {
        var logs = Directory.EnumerateFiles(sandbox.Target("/var/log/nodeagent")).Select(File.ReadAllText);
        foreach (var text in logs.Append(daemon.Output).Append(daemon.Error))
        {
            foreach (var user in users)
            {
                Assert.DoesNotContain(user.SecretAccessKey.Reveal(), text, StringComparison.Ordinal);
                Assert.DoesNotContain(user.AccessKeyId.Reveal(), text, StringComparison.Ordinal);
            }
        }
    }

    private static async Task<(string Simulators, string Compute)> ConsumersAsync(DockerSandbox box, Sandbox sandbox)
    {
        var dockerEnv = File.ReadAllLines(sandbox.Target("/opt/sensor/docker.env")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var simulators = await box.ComposeServiceAsync(box.Simulators, env: dockerEnv, binds: [$"{box.RootAws}:/root/.aws:ro"]);
        var compute = await box.ComposeServiceAsync(box.Compute, binds: [$"{box.RootAws}:/root/.aws:ro", $"{box.UbuntuAws}:/home/bacalhau/.aws:ro"]);
        return (simulators, compute);
    }

    private Task<AwsCredentials> UserAsync() => moto.CreateUserAsync(AllActions, Buckets);
}
