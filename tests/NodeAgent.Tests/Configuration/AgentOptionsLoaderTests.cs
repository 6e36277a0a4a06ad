using NodeAgent.Configuration;
using NodeAgent.FileSystem;
using NodeAgent.Sources;

namespace NodeAgent.Tests.Configuration;

public sealed class AgentOptionsLoaderTests
{
    [Fact]
    public void Shipped_default_config_equals_the_built_in_defaults()
    {
        var shipped = AgentOptionsLoader.Load(RepoFile("deployment/nodeagent.yaml"), mustExist: true);
        Assert.Equal(OptionsDump.Of(new AgentOptions()), OptionsDump.Of(shipped));
    }

    [Fact]
    public void Missing_default_file_means_the_standard_host_layout()
    {
        var options = AgentOptionsLoader.Load("/nonexistent/nodeagent.yaml", mustExist: false);
        Assert.Equal("/opt/deployment/etc/aws/credentials", options.Sources.Directory);
        Assert.Equal(["root", "ubuntu"], options.Targets.AwsHomes.Select(h => h.User));
        Assert.Equal("/home/ubuntu/.aws/credentials", options.Targets.AwsHomes[1].CredentialsPath);
        Assert.Equal(PermissionBits.Parse("600"), options.Targets.DockerEnv.Mode);
        Assert.Equal(PermissionBits.Parse("644"), options.Targets.StorageConfig.Mode);
        Assert.Equal(["raw", "schematized", "filtered", "emergency"], options.BucketRoles);
        Assert.Equal(["sensor-simulators", "compute"], options.Containers.Names);
    }

    [Fact]
    public void Missing_file_named_with_config_is_an_error()
    {
        var e = Assert.Throws<InvalidInputException>(() => AgentOptionsLoader.Load("/nonexistent/x.yaml", mustExist: true));
        Assert.Contains("does not exist", e.Errors[0].What);
    }

    [Fact]
    public void Every_path_user_mode_role_and_container_is_configurable()
    {
        var options = AgentOptionsLoader.Parse("n.yaml", """
            sources:
              directory: /srv/creds
              profile: expanso
            profile: sensors
            bucket_roles: [raw, archive]
            targets:
              aws_homes:
                - user: admin
                  home: /home/admin
              s3_config: { path: /srv/s3.json, owner: admin, mode: "0400" }
              storage_config: { path: /srv/storage.yaml, owner: admin, mode: "0640" }
            containers:
              names: [uploader]
              docker_host: unix:///run/docker.sock
            s3:
              endpoint: http://127.0.0.1:4568
            probes:
              timeout_seconds: 9
            status:
              stale_after_seconds: 600
            """);
        Assert.Equal(600, options.Status.StaleAfterSeconds);
        Assert.Equal("/srv/creds", options.Sources.Directory);
        Assert.Equal("expanso", options.Sources.Profile);
        Assert.Equal("sensors", options.Profile);
        Assert.Equal(["raw", "archive"], options.BucketRoles);
        Assert.Equal("/home/admin/.aws/config", Assert.Single(options.Targets.AwsHomes).ConfigPath);
        Assert.Equal(new FileTarget("/srv/s3.json", "admin", PermissionBits.Parse("400")), options.Targets.S3Config);
        Assert.Equal(PermissionBits.Parse("640"), options.Targets.StorageConfig.Mode);
        Assert.Equal("/opt/sensor/.env", options.Targets.DotEnv.Path);
        Assert.Equal(["uploader"], options.Containers.Names);
        Assert.Equal("http://127.0.0.1:4568", options.S3.Endpoint);
        Assert.Null(options.Sts.Endpoint);
        Assert.Equal(9, options.Probes.TimeoutSeconds);
    }

    [Fact]
    public void Unknown_key_is_an_error_with_its_line_and_the_known_keys()
    {
        var e = Reject("sources:\n  directory: /x\n  credential_file: y\n");
        var error = Assert.Single(e.Errors);
        Assert.Equal(3, error.Line);
        Assert.Contains("unknown key sources.credential_file", error.What);
        Assert.Contains("credentials_file", error.Fix);
        Assert.Equal("nodeagent.yaml:3: unknown key sources.credential_file — " + error.Fix, error.ToString());
    }

    [Fact]
    public void Wrong_types_are_errors_with_line_numbers_all_at_once()
    {
        var e = Reject("probes:\n  timeout_seconds: soon\nbucket_roles: raw\ncontainers: [a]\n");
        Assert.Equal([2, 3, 4], e.Errors.Select(x => x.Line!.Value));
        Assert.Contains("whole number", e.Errors[0].What);
        Assert.Contains("must be a list", e.Errors[1].What);
        Assert.Contains("must be a mapping", e.Errors[2].What);
    }

    [Fact]
    public void A_secret_file_configured_readable_by_others_is_refused()
    {
        var e = Reject("targets:\n  dotenv:\n    mode: \"0644\"\n");
        Assert.Contains("targets.dotenv.mode 0644 would let other users read a secret key", e.Errors[0].What);
    }

    [Theory]
    [InlineData("targets:\n  s3_config:\n    mode: rw\n", "octal file mode")]
    [InlineData("s3:\n  endpoint: localhost:4566\n", "not an http(s) URL")]
    [InlineData("probes:\n  timeout_seconds: 0\n", "outside 1..300")]
    [InlineData("bucket_roles: [raw, raw]\n", "lists a role twice")]
    [InlineData("targets:\n  aws_homes:\n    - home: /root\n", "user is missing")]
    [InlineData("sources: [\n", "not valid YAML")]
    [InlineData("profile: \"a]\\nb\"\n", "not a usable profile name")]
    [InlineData("sources:\n  profile: \"\"\n", "not a usable profile name")]
    [InlineData("targets:\n  dotenv:\n    path: /opt/sensor/docker.env\n", "targets.dotenv.path and targets.docker_env.path name the same file")]
    [InlineData("targets:\n  aws_homes:\n    - user: root\n      home: /root\n    - user: admin\n      home: /root/\n", "name the same file /root/.aws/credentials")]
    [InlineData("targets:\n  s3_config:\n    path: /root/.aws/credentials\n", "name the same file")]
    [InlineData("state_directory: /opt/sensor\n", "state_directory /opt/sensor overlaps targets.dotenv.path")]
    [InlineData("targets:\n  storage_config:\n    mode: \"4755\"\n", "sets setuid, setgid or sticky bits")]
    [InlineData("profile: default\n---\nprofile: other\n", "second YAML document")]
    [InlineData("sources:\n  provider: ssm\n", "sources.provider is ssm, but sources.ssm.parameter is not set")]
    [InlineData("sources:\n  provider: ssm\n  ssm:\n    parameter: \"\"\n", "sources.ssm.parameter is not set")]
    [InlineData("sources:\n  provider: ssm\n  ssm:\n    parameter: /x\n    endpoint: localhost:4566\n", "sources.ssm.endpoint \"localhost:4566\" is not an http(s) URL")]
    public void Invalid_values_are_rejected(string yaml, string expected)
    {
        var e = Reject(yaml);
        Assert.Contains(e.Errors, x => x.What.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Empty_file_means_defaults()
    {
        Assert.Equal(OptionsDump.Of(new AgentOptions()), OptionsDump.Of(AgentOptionsLoader.Parse("n.yaml", "# nothing\n")));
    }

    private static string RepoFile(string relative)
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "NodeAgent.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository root not found");
        }

        return Path.Combine(dir, relative);
    }

    private static InvalidInputException Reject(string yaml) =>
        Assert.Throws<InvalidInputException>(() => AgentOptionsLoader.Parse("nodeagent.yaml", yaml));
}

/// <summary>Records holding lists compare by reference; a flat dump compares the values.</summary>
internal static class OptionsDump
{
    public static string Of(AgentOptions o) => string.Join("\n",
        o.Sources, o.Profile, string.Join(",", o.BucketRoles), string.Join(",", o.Targets.AwsHomes),
        o.Targets.S3Config, o.Targets.StorageConfig, o.Targets.DotEnv, o.Targets.DockerEnv,
        string.Join(",", o.Containers.Names), o.Containers.DockerHost, o.Containers.RestartTimeoutSeconds,
        o.S3, o.Sts, o.Probes, o.Rotation, o.Daemon, o.Logging, o.Status, o.StateDirectory);
}
