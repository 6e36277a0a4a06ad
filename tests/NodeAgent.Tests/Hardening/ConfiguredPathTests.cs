using NodeAgent.Cli;
using NodeAgent.Configuration;
using NodeAgent.Sources;
using NodeAgent.Tests.FileSystem;
using NodeAgent.TestSupport;

namespace NodeAgent.Tests.Hardening;

/// <summary>Issue 9, breaks 6, 7 and 8: configured paths and --root can never point root at the host or a system file.</summary>
public sealed class ConfiguredPathTests
{
    // Break 6
    [Fact]
    public async Task A_state_directory_climbing_out_of_the_root_is_refused_and_nothing_is_written()
    {
        using var sandbox = new Sandbox();
        var escape = $"nodeagent-escape-{Guid.NewGuid():N}";
        var config = sandbox.WriteConfig($"state_directory: /../../tmp/{escape}\n");

        var run = await sandbox.RunAsync("apply", "--config", config, "--root", sandbox.Root, "--sources", sandbox.Sources, "--no-restart");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains($"state_directory \"/../../tmp/{escape}\" contains a '..' segment", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists($"/tmp/{escape}"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(sandbox.Root));
    }

    [Fact]
    public void Mapping_under_the_root_resolves_dotdot_as_the_host_would_so_it_stays_below_the_root()
    {
        Assert.Equal("/sandbox/tmp/x", new PathMap("/sandbox").Map("/../../tmp/x"));
        Assert.Equal("/sandbox/var/lib/nodeagent", new PathMap("/sandbox").Map("/var/lib/nodeagent"));
    }

    [RootFact]
    public async Task A_link_planted_at_the_state_directory_makes_root_create_nothing_where_it_points()
    {
        using var host = new UserHost();
        var elsewhere = host.Target($"{UserHost.Home}/elsewhere");
        host.AsUser($"mkdir '{elsewhere}'");
        Directory.CreateDirectory(host.Target("/var/lib"));
        File.CreateSymbolicLink(host.Target("/var/lib/nodeagent"), elsewhere);

        var run = await host.ApplyAsync("--wait", "0");

        Assert.Equal(ExitCodes.WriteFailed, run.ExitCode);
        Assert.Contains($"{host.Target("/var/lib/nodeagent")}: is a symbolic link", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
        Assert.False(File.Exists(host.Target("/root/.aws/credentials")), "no lock, no apply");
    }

    // Break 7
    [Theory]
    [InlineData("/")]
    [InlineData("//")]
    [InlineData("/tmp/..")]
    [InlineData("/.")]
    [InlineData("/x/../..")]
    public async Task A_root_that_normalises_to_the_host_is_refused(string root)
    {
        using var sandbox = new Sandbox();
        foreach (var args in new[] { new[] { "apply", "--dry-run", "--root", root, "--sources", sandbox.Sources }, ["status", "--root", root] })
        {
            var run = await sandbox.RunAsync(args);
            Assert.True(run.ExitCode == ExitCodes.InvalidInput, run.ToString());
            Assert.Contains($"--root: --root \"{root}\" is / itself, which would act on the real host — leave --root out to act on this host", run.Error, StringComparison.Ordinal);
        }
    }

    // Break 8
    [Theory]
    [InlineData("/etc/shadow", "/etc")]
    [InlineData("/usr/local/etc/sensor.env", "/usr")]
    [InlineData("/lib64/x.env", "/lib*")]
    [InlineData("/run/user/1000/x.env", "/run")]
    [InlineData("/opt/../etc/passwd", "/etc")]
    public void A_target_under_a_system_tree_is_refused(string path, string tree)
    {
        var e = Reject($"targets:\n  dotenv: {{ path: {path}, owner: ubuntu, mode: \"0600\" }}\n");
        Assert.Contains(e.Errors, err => err.What.Contains($"targets.dotenv.path {HostPath.Normalize(path)} is under the system tree {tree}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/etc/nodeagent/sensor.env")]
    [InlineData("/run/nodeagent/sensor.env")]
    public void The_documented_allow_list_inside_system_trees_is_accepted(string path)
    {
        Assert.Equal(path, AgentOptionsLoader.Parse("nodeagent.yaml", $"targets:\n  dotenv: {{ path: {path}, owner: ubuntu, mode: \"0600\" }}\n").Targets.DotEnv.Path);
    }

    [RootFact]
    public async Task A_target_naming_the_config_file_a_source_or_a_system_file_is_refused_and_nothing_is_touched()
    {
        var user = TestUser.Ensure();
        using var sandbox = new Sandbox();
        var sources = sandbox.Target("/opt/deployment/etc/aws/credentials");
        Directory.CreateDirectory(sources);
        foreach (var source in Directory.EnumerateFiles(sandbox.Sources))
        {
            File.Copy(source, Path.Combine(sources, Path.GetFileName(source)));
        }

        var shadow = sandbox.Target("/etc/shadow");
        Directory.CreateDirectory(Path.GetDirectoryName(shadow)!);
        File.WriteAllText(shadow, "root:*:1::::::\n");
        File.SetUnixFileMode(shadow, UnixFileMode.UserRead);
        var configFile = sandbox.Target("/etc/nodeagent/nodeagent.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(configFile)!);
        foreach (var (key, target) in new[]
        {
            ("dotenv", "/etc/nodeagent/nodeagent.yaml"),
            ("dotenv", "/opt/deployment/etc/aws/credentials/expanso-production.env"),
            ("docker_env", "/etc/shadow"),
        })
        {
            var yaml = $"targets:\n  {key}: {{ path: {target}, owner: {user.Name}, mode: \"0600\" }}\n";
            File.WriteAllText(configFile, yaml);
            var before = Directory.EnumerateFiles(sandbox.Root, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText);

            var run = await sandbox.RunAsync("apply", "--root", sandbox.Root, "--no-restart");

            Assert.True(run.ExitCode == ExitCodes.InvalidInput, $"{target}: {run}");
            Assert.Contains($"targets.{key}.path", run.Error, StringComparison.Ordinal);
            Assert.Equal(before, Directory.EnumerateFiles(sandbox.Root, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText));
            Assert.Equal(0u, OnDisk.Stat(shadow).Uid);
        }
    }

    private static InvalidInputException Reject(string yaml) =>
        Assert.Throws<InvalidInputException>(() => AgentOptionsLoader.Parse("nodeagent.yaml", yaml));
}
