using System.Text.Json.Nodes;

using NodeAgent.Aws;
using NodeAgent.Cli;
using NodeAgent.IntegrationTests.Daemon;
using NodeAgent.IntegrationTests.Fixtures;
using NodeAgent.Sources;

namespace NodeAgent.IntegrationTests.Ssm;

/// <summary>
/// sources.provider: ssm against an authenticating moto_server: the parameter is a real SecureString with versions,
/// read by `nodeagent` as a child process whose own identity (the SDK's default chain) is a moto IAM user given in
/// ITS environment only, never the distributed keys. moto decides SSM permissions against resource "*" only, so
/// the test policies are scoped that way; the ARN in the messages is still the parameter's own.
/// </summary>
[Collection(MotoServerCollection.Name)]
public sealed class SsmParameterSourceTests(MotoServerFixture moto)
{
    private const string MotoAccount = "123456789012";

    private static readonly string[] S3Actions =
        ["s3:ListBucket", "s3:GetBucketLocation", "s3:PutObject", "s3:GetObject", "s3:DeleteObject"];

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private static IReadOnlyList<string> Buckets => MotoServerFixture.RoleBuckets.Select(b => b.Name).ToList();

    [Fact]
    public async Task Apply_and_verify_take_the_sources_from_one_SecureString_parameter_read_with_the_agents_own_identity()
    {
        using var host = new Sandbox();
        var name = ParameterName();
        var keys = await moto.CreateUserAsync(S3Actions, Buckets);
        var version = await moto.PutParameterAsync(name, Document(keys.AccessKeyId.Reveal(), keys.SecretAccessKey.Reveal()));
        var agent = await AgentUserAsync(allow: true);
        var config = host.WriteConfig(Config(name));

        var apply = await AgentProcess.RunAsync(["apply", "--config", config, "--root", host.Root, "--no-restart"], Environment(agent));
        Assert.True(apply.ExitCode == ExitCodes.Ok, apply.ToString());
        Assert.Contains($"sources ssm:{name} (version {version});", apply.Output, StringComparison.Ordinal);
        var placed = File.ReadAllText(host.Target("/root/.aws/credentials"));
        Assert.Contains(keys.AccessKeyId.Reveal(), placed, StringComparison.Ordinal);
        // The agent's own key reads the parameter; it is never what gets placed.
        Assert.DoesNotContain(agent.AccessKeyId.Reveal(), placed, StringComparison.Ordinal);
        Assert.Contains(keys.AccessKeyId.Reveal(), File.ReadAllText(host.Target("/opt/sensor/config/s3-config.json")), StringComparison.Ordinal);

        var verify = await AgentProcess.RunAsync(["verify", "--config", config, "--root", host.Root], Environment(agent));
        Assert.True(verify.ExitCode == ExitCodes.Ok, verify.ToString());
        Assert.Contains("nodeagent verify: ok", verify.Output, StringComparison.Ordinal);
        AssertNoSecret(apply, verify, keys, agent);
    }

    [Fact]
    public async Task A_Secrets_Manager_secret_is_read_through_its_aws_reference_parameter()
    {
        using var host = new Sandbox();
        var secret = "nodeagent-test-" + Guid.NewGuid().ToString("N")[..8];
        var keys = await moto.CreateUserAsync(S3Actions, Buckets);
        await moto.PutSecretAsync(secret, Document(keys.AccessKeyId.Reveal(), keys.SecretAccessKey.Reveal()));
        var agent = await AgentUserAsync(allow: true);
        var config = host.WriteConfig(Config(SsmFailure.SecretsManagerPrefix + secret));

        var apply = await AgentProcess.RunAsync(["apply", "--config", config, "--root", host.Root, "--no-restart"], Environment(agent));
        Assert.True(apply.ExitCode == ExitCodes.Ok, apply.ToString());
        Assert.Contains(keys.AccessKeyId.Reveal(), File.ReadAllText(host.Target("/root/.aws/credentials")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_parameter_value_is_rejected_with_the_parameter_name_and_version_and_nothing_is_touched()
    {
        using var host = new Sandbox();
        var name = ParameterName();
        await moto.PutParameterAsync(name, Document(TestData.KeyId, TestData.SecretKey));
        var version = await moto.PutParameterAsync(name, Document(TestData.KeyId, "too-short"));
        var agent = await AgentUserAsync(allow: true);
        var config = host.WriteConfig(Config(name));

        var apply = await AgentProcess.RunAsync(["apply", "--config", config, "--root", host.Root, "--no-restart"], Environment(agent));
        Assert.True(apply.ExitCode == ExitCodes.InvalidInput, apply.ToString());
        // The directory source's message, with the parameter and its version where file and line would be.
        Assert.Contains($"ssm:{name} (version {version}):3: aws_secret_access_key", apply.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was written", apply.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("too-short", apply.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(host.Target("/root/.aws")), apply.ToString());
        Assert.False(File.Exists(host.Target("/opt/sensor/.env")));
    }

    [Fact]
    public async Task Access_denied_on_the_parameter_is_a_clear_failure_naming_ssm_GetParameter_on_its_ARN()
    {
        using var host = new Sandbox();
        var name = ParameterName();
        await moto.PutParameterAsync(name, Document(TestData.KeyId, TestData.SecretKey));
        var agent = await AgentUserAsync(allow: false);
        var config = host.WriteConfig(Config(name));

        var apply = await AgentProcess.RunAsync(["apply", "--config", config, "--root", host.Root, "--no-restart"], Environment(agent));
        Assert.True(apply.ExitCode == ExitCodes.InvalidInput, apply.ToString());
        var arn = $"arn:aws:ssm:{MotoServerFixture.Region}:{MotoAccount}:parameter/{name.TrimStart('/')}";
        Assert.Contains($"ssm:{name}: access denied", apply.Error, StringComparison.Ordinal);
        Assert.Contains($"may not ssm:GetParameter on {arn}", apply.Error, StringComparison.Ordinal);
        Assert.Contains("kms:Decrypt", apply.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(host.Target("/root/.aws")), apply.ToString());

        // verify says the same and writes the failed report.
        var verify = await AgentProcess.RunAsync(["verify", "--config", config, "--root", host.Root, "--json"], Environment(agent));
        Assert.Equal(ExitCodes.InvalidInput, verify.ExitCode);
        Assert.Contains($"ssm:GetParameter on {arn}", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_parameter_is_named_with_the_put_parameter_that_creates_it_and_a_closed_endpoint_is_reported_in_time()
    {
        using var host = new Sandbox();
        var name = ParameterName();
        var agent = await AgentUserAsync(allow: true);
        var config = host.WriteConfig(Config(name));

        var missing = await AgentProcess.RunAsync(["apply", "--config", config, "--root", host.Root, "--no-restart"], Environment(agent));
        Assert.True(missing.ExitCode == ExitCodes.InvalidInput, missing.ToString());
        Assert.Contains($"ssm:{name}: the parameter does not exist in {MotoServerFixture.Region}", missing.Error, StringComparison.Ordinal);
        Assert.Contains($"aws ssm put-parameter --name {name} --type SecureString", missing.Error, StringComparison.Ordinal);

        var closed = Environment(agent);
        closed["AWS_ENDPOINT_URL_SSM"] = $"http://127.0.0.1:{MotoServerFixture.FreePort()}";
        var started = DateTime.UtcNow;
        var unreachable = await AgentProcess.RunAsync(["apply", "--config", config, "--root", host.Root, "--no-restart"], closed);
        Assert.True(unreachable.ExitCode == ExitCodes.InvalidInput, unreachable.ToString());
        Assert.Contains($"ssm:{name}: cannot connect to {closed["AWS_ENDPOINT_URL_SSM"]}", unreachable.Error, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), unreachable.ToString());
        Assert.False(Directory.Exists(host.Target("/root/.aws")));
    }

    [Fact]
    public async Task Without_an_identity_of_its_own_the_agent_says_how_to_give_the_instance_a_role()
    {
        using var host = new Sandbox();
        var config = host.WriteConfig(Config(ParameterName()));
        var apply = await AgentProcess.RunAsync(["apply", "--config", config, "--root", host.Root, "--no-restart"], Environment(agent: null));
        Assert.True(apply.ExitCode == ExitCodes.InvalidInput, apply.ToString());
        Assert.Contains("has no AWS identity of its own", apply.Error, StringComparison.Ordinal);
        Assert.Contains("attach an IAM role to the instance", apply.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_daemon_polls_the_version_refuses_keys_AWS_rejects_and_rotates_to_good_ones_within_a_poll()
    {
        using var host = new Sandbox();
        var name = ParameterName();
        var first = await moto.CreateUserAsync(S3Actions, Buckets);
        await moto.PutParameterAsync(name, Document(first.AccessKeyId.Reveal(), first.SecretAccessKey.Reveal()));
        var agent = await AgentUserAsync(allow: true);
        var config = host.WriteConfig(Config(name));
        var credentials = host.Target("/root/.aws/credentials");
        using var notify = new NotifySocket();
        var environment = Environment(agent).Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value!);
        using var daemon = DaemonProcess.Start(notify, ["--config", config, "--root", host.Root], environment: environment);

        await notify.WaitForAsync(d => d.StartsWith("READY=1", StringComparison.Ordinal), Within, "READY=1");
        Assert.Contains(first.AccessKeyId.Reveal(), File.ReadAllText(credentials), StringComparison.Ordinal);
        Assert.Contains($"watching ssm:{name}", daemon.Error, StringComparison.Ordinal);

        // A well-formed key AWS does not know: proved first, refused, nothing touched.
        var unknown = "AKIA" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        var rejectedVersion = await moto.PutParameterAsync(name, Document(unknown, TestData.SecretKey));
        await daemon.WaitForErrorAsync(e => e.Contains("new credentials rejected", StringComparison.Ordinal), Within, "the rejection");
        Assert.Contains(first.AccessKeyId.Reveal(), File.ReadAllText(credentials), StringComparison.Ordinal);

        // Good new keys: placed within a poll (1 s ± 20%) and the settle of the cycle, proved before the swap.
        var second = await moto.CreateUserAsync(S3Actions, Buckets);
        var goodVersion = await moto.PutParameterAsync(name, Document(second.AccessKeyId.Reveal(), second.SecretAccessKey.Reveal()));
        Assert.Equal(rejectedVersion + 1, goodVersion);
        await daemon.WaitForErrorAsync(_ => File.ReadAllText(credentials).Contains(second.AccessKeyId.Reveal(), StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the rotation to the second key");
        await daemon.WaitForErrorAsync(e => e.Contains($"sources: ssm:{name} (version {goodVersion}) changed", StringComparison.Ordinal), Within, "the change logged");
        Assert.Contains("rotation: ", daemon.Error, StringComparison.Ordinal);

        // An unchanged parameter is polled, not re-read: no further SourcesChanged cycle over several polls.
        var cycles = SourcesChangedCycles(daemon);
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(cycles, SourcesChangedCycles(daemon));
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync(Within));
        TestData.AssertNoSecret(daemon.Error);
        Assert.DoesNotContain(second.SecretAccessKey.Reveal(), daemon.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(agent.SecretAccessKey.Reveal(), daemon.Error, StringComparison.Ordinal);
    }

    private static string ParameterName() => "/nodeagent-test/" + Guid.NewGuid().ToString("N")[..12] + "/s3-config";

    private static int SourcesChangedCycles(DaemonProcess daemon) =>
        daemon.Error.Split('\n').Count(l => l.Contains("daemon: cycle (", StringComparison.Ordinal) && l.Contains("SourcesChanged", StringComparison.Ordinal));

    /// <summary>The expanso-s3-config.json document, as the deployer puts it into the parameter (the secret on line 3).</summary>
    private static string Document(string keyId, string secret) => new JsonObject
    {
        ["aws_access_key_id"] = keyId,
        ["aws_secret_access_key"] = secret,
        ["region"] = MotoServerFixture.Region,
        ["s3_configuration"] = new JsonObject
        {
            ["buckets"] = new JsonObject(MotoServerFixture.RoleBuckets.Select(b => KeyValuePair.Create(b.Role, (JsonNode?)b.Name))),
        },
    }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

    private static void AssertNoSecret(CliRun apply, CliRun verify, AwsCredentials keys, AwsCredentials agent)
    {
        foreach (var text in new[] { apply.Output, apply.Error, verify.Output, verify.Error })
        {
            Assert.DoesNotContain(keys.SecretAccessKey.Reveal(), text, StringComparison.Ordinal);
            Assert.DoesNotContain(agent.SecretAccessKey.Reveal(), text, StringComparison.Ordinal);
        }
    }

    /// <summary>The instance role's stand-in: allowed, or explicitly denied, ssm:GetParameter (on "*": moto checks SSM against no other resource).</summary>
    private Task<AwsCredentials> AgentUserAsync(bool allow) => moto.CreateUserAsync(new JsonObject
    {
        ["Version"] = "2012-10-17",
        ["Statement"] = new JsonArray(
            new JsonObject
            {
                ["Effect"] = "Allow",
                ["Action"] = new JsonArray("ssm:GetParameter", "secretsmanager:GetSecretValue"),
                ["Resource"] = "*",
            },
            allow
                ? new JsonObject { ["Effect"] = "Allow", ["Action"] = "kms:Decrypt", ["Resource"] = "*" }
                : new JsonObject { ["Effect"] = "Deny", ["Action"] = "ssm:GetParameter", ["Resource"] = "*" }),
    });

    /// <summary>The child's environment: the agent's identity and SSM's endpoint (AWS_ENDPOINT_URL_SSM); S3 and STS come from the config.</summary>
    private Dictionary<string, string?> Environment(AwsCredentials? agent) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = agent?.AccessKeyId.Reveal(),
        ["AWS_SECRET_ACCESS_KEY"] = agent?.SecretAccessKey.Reveal(),
        ["AWS_SESSION_TOKEN"] = null,
        ["AWS_PROFILE"] = null,
        ["AWS_REGION"] = MotoServerFixture.Region,
        ["AWS_ENDPOINT_URL_SSM"] = moto.Endpoint,
        // Nothing of the machine's own AWS setup may stand in for the identity under test.
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/credentials",
        ["AWS_CONFIG_FILE"] = "/nonexistent/config",
    };

    private string Config(string parameter) => $"""
        sources:
          provider: ssm
          ssm:
            parameter: {parameter}
            poll_seconds: 1
        daemon:
          drift_interval_seconds: 3600
          probe_interval_seconds: 86400
        containers:
          names: []
        s3:
          endpoint: {moto.Endpoint}
        sts:
          endpoint: {moto.Endpoint}
        probes:
          timeout_seconds: 5
        """;
}
