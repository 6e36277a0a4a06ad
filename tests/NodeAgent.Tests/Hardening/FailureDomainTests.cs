using System.Text.Json;

using NodeAgent.Cli;
using NodeAgent.FileSystem;
using NodeAgent.Tests.FileSystem;

using static NodeAgent.Tests.FileSystem.OnDisk;

namespace NodeAgent.Tests.Hardening;

/// <summary>Issue 9, break 4: one user breaking their own home must not stop rotation for root and /opt/sensor.</summary>
public sealed class FailureDomainTests
{
    private const string NewKey = "AKIAROTATEDNODEAG099";
    private const string NewSecret = "RoTaTeDsEcReTkEyRoTaTeDsEcReTkEy01234567";

    [RootFact]
    public async Task A_symlink_planted_in_one_home_refuses_that_home_and_every_other_domain_rotates()
    {
        using var host = new UserHost();
        Assert.Equal(ExitCodes.Ok, (await host.ApplyAsync()).ExitCode);
        var config = host.Target($"{UserHost.Home}/.aws/config");
        var userCredentials = host.Target($"{UserHost.Home}/.aws/credentials");
        var oldUserCredentials = File.ReadAllText(userCredentials);
        host.AsUser($"ln -sf /dev/null '{config}'");
        host.Sandbox.WriteSources(NewKey, NewSecret);

        var run = await host.ApplyAsync();
        var json = await host.ApplyAsync("--json");

        Assert.Equal(ExitCodes.WriteFailed, run.ExitCode);
        Assert.Contains($"error: {config}: is a symbolic link", run.Error, StringComparison.Ordinal);
        Assert.Contains($"not rotated: home {UserHost.Home} (each keeps its previous files); rotated: home /root, shared; unchanged: none.", run.Error, StringComparison.Ordinal);
        Assert.Contains($"refused      {userCredentials}", run.Output, StringComparison.Ordinal);
        foreach (var rotated in new[] { "/root/.aws/credentials", "/opt/sensor/docker.env", "/opt/sensor/.env", "/opt/sensor/config/s3-config.json" })
        {
            Assert.Contains(NewKey, File.ReadAllText(host.Target(rotated)), StringComparison.Ordinal);
        }

        Assert.Contains(NewKey, File.ReadAllText(host.Target("/root/.aws/credentials")), StringComparison.Ordinal);
        Assert.Equal(oldUserCredentials, File.ReadAllText(userCredentials));
        Assert.True(File.ResolveLinkTarget(config, false) is not null, "the planted link is left alone, never written through");

        // The second run finds root and shared already rotated: the report says the home is still not written.
        Assert.Equal(ExitCodes.WriteFailed, json.ExitCode);
        using var report = JsonDocument.Parse(json.Output);
        var files = report.RootElement.GetProperty("files").EnumerateArray()
            .ToDictionary(f => f.GetProperty("target").GetString()!, f => f.GetProperty("status").GetString());
        Assert.Equal("failed", files[config]);
        Assert.Equal("failed", files[userCredentials]);
        Assert.Equal("ok", files[host.Target("/root/.aws/credentials")]);
        Assert.Equal("ok", files[host.Target("/opt/sensor/docker.env")]);
    }

    [RootFact]
    public void ApplyDomains_rolls_back_only_the_failing_domain_and_says_which_domains_rotated()
    {
        using var tree = new TempTree();
        var transaction = new FileSetTransaction(new SecureFileSystem(tree.Root), tree["state/previous"]);
        var blocked = tree.WriteFile("home/u/.aws/config", "old config\n", Octal("600"));
        var credentials = tree.WriteFile("home/u/.aws/credentials", "old credentials\n", Octal("600"));
        tree.MakeImmutable(blocked); // the rename over it fails with EPERM after credentials was renamed
        DesiredFile File(string relative, string content, bool privateParent) => new(tree[relative], Bytes(content), Octal("600"), null, privateParent);

        var results = transaction.ApplyDomains(
        [
            new FileDomain("home /root", [File("root/.aws/credentials", "new\n", true), File("root/.aws/config", "new\n", true)]),
            new FileDomain("home /home/u", [File("home/u/.aws/credentials", "new\n", true), File("home/u/.aws/config", "new\n", true)]),
            new FileDomain("shared", [File("opt/sensor/.env", "new\n", false)]),
        ]);

        Assert.Equal(
            [("home /root", DomainStatus.Rotated), ("home /home/u", DomainStatus.Failed), ("shared", DomainStatus.Rotated)],
            results.Select(r => (r.Name, r.Status)));
        Assert.Equal([tree["root/.aws/credentials"], tree["root/.aws/config"]], results[0].WrittenPaths);
        Assert.Empty(results[1].WrittenPaths);
        var failure = Assert.IsType<FileWriteException>(results[1].Failure);
        Assert.True(failure.RolledBack, failure.Message);
        Assert.Equal("old credentials\n", System.IO.File.ReadAllText(credentials));
        Assert.Equal("new\n", System.IO.File.ReadAllText(tree["opt/sensor/.env"]));
        Assert.Empty(tree.TempFiles());
    }
}
