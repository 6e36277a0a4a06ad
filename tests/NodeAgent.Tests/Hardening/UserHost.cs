using NodeAgent.FileSystem;
using NodeAgent.Tests.FileSystem;
using NodeAgent.TestSupport;

namespace NodeAgent.Tests.Hardening;

/// <summary>
/// A sandbox laid out like a host where the unprivileged test user plays `ubuntu`: it owns its home, its ~/.aws pair
/// and the /opt/sensor files, so it can do to them whatever a local user can.
/// </summary>
internal sealed class UserHost : IDisposable
{
    public const string Home = "/home/nodeagent-test";

    public UserHost()
    {
        User = TestUser.Ensure();
        Sandbox = new Sandbox();
        // A host's / is 0755: the user must be able to reach their home inside the sandbox.
        File.SetUnixFileMode(Sandbox.Root, OnDisk.Octal("755").ToUnixFileMode());
        var home = Sandbox.Target(Home);
        Directory.CreateDirectory(Path.GetDirectoryName(home)!);
        File.SetUnixFileMode(Path.GetDirectoryName(home)!, OnDisk.Octal("755").ToUnixFileMode());
        Directory.CreateDirectory(home);
        TempTree.Run("chown", $"{User.Uid}:{User.Gid}", home);
        Config = Sandbox.WriteConfig($"""
            targets:
              aws_homes:
                - user: root
                  home: /root
                - user: {User.Name}
                  home: {Home}
              s3_config: {"{"} path: /opt/sensor/config/s3-config.json, owner: {User.Name}, mode: "0600" {"}"}
              storage_config: {"{"} path: /opt/sensor/config/databricks-storage-config.yaml, owner: {User.Name}, mode: "0644" {"}"}
              dotenv: {"{"} path: /opt/sensor/.env, owner: {User.Name}, mode: "0600" {"}"}
              docker_env: {"{"} path: /opt/sensor/docker.env, owner: {User.Name}, mode: "0600" {"}"}
            """);
    }

    public UserAccount User { get; }

    public Sandbox Sandbox { get; }

    public string Config { get; }

    public string Backups => Sandbox.Target("/var/lib/nodeagent/previous");

    public string Target(string hostPath) => Sandbox.Target(hostPath);

    public Task<CliRun> ApplyAsync(params string[] extra) =>
        Sandbox.RunAsync(["apply", "--config", Config, "--root", Sandbox.Root, "--sources", Sandbox.Sources, "--no-restart", .. extra]);

    /// <summary>Runs a shell command as the test user, the way that user would attack from their own session.</summary>
    public void AsUser(string command) => TempTree.Run("setpriv", $"--reuid={User.Uid}", $"--regid={User.Gid}", "--clear-groups", "sh", "-c", command);

    public void Dispose() => Sandbox.Dispose();
}
