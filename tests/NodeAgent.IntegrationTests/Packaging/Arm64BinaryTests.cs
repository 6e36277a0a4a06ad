using NodeAgent.IntegrationTests.Fixtures;

namespace NodeAgent.IntegrationTests.Packaging;

/// <summary>
/// The linux-arm64 build (cross-compiled here, for Graviton hosts) run under qemu-aarch64-static with the arm64
/// libraries from multiarch (-L /): it starts, and a sandboxed apply against moto_server places every file.
/// </summary>
[Collection(MotoServerCollection.Name)]
public sealed class Arm64BinaryTests(MotoServerFixture moto)
{
    private static readonly string[] ReadActions = ["s3:ListBucket", "s3:GetBucketLocation"];

    [PackageFact]
    public async Task The_arm64_binary_prints_its_version_under_qemu()
    {
        var run = await Arm64Async("--version");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith($"nodeagent {PackageArtifacts.Version} (commit ", run.Output, StringComparison.Ordinal);
    }

    [PackageFact]
    public async Task The_arm64_binary_applies_a_sandbox_against_moto_with_verified_keys()
    {
        var buckets = MotoServerFixture.RoleBuckets.Select(b => b.Name).ToList();
        var user = await moto.CreateUserAsync(ReadActions, buckets);
        using var sandbox = new Sandbox();
        sandbox.WriteSources(user.AccessKeyId.Reveal(), user.SecretAccessKey.Reveal(), MotoServerFixture.Region, buckets);
        var config = sandbox.WriteConfig($"""
            containers:
              names: []
            s3:
              endpoint: {moto.Endpoint}
            sts:
              endpoint: {moto.Endpoint}
            """);

        var run = await Arm64Async("apply", "--config", config, "--root", sandbox.Root, "--sources", sandbox.Sources, "--no-restart", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        TestData.AssertNoSecret(run.Output);
        Assert.DoesNotContain(user.SecretAccessKey.Reveal(), run.Output + run.Error, StringComparison.Ordinal);
        foreach (var target in new[] { "/root/.aws/credentials", "/opt/sensor/.env", "/opt/sensor/config/s3-config.json" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sandbox.Target(target)));
        }

        Assert.Contains(user.AccessKeyId.Reveal(), File.ReadAllText(sandbox.Target("/root/.aws/credentials")), StringComparison.Ordinal);
    }

    private static Task<ToolRun> Arm64Async(params string[] args) =>
        Tool.RunAsync("qemu-aarch64-static", ["-L", "/", PackageArtifacts.Binary("arm64"), .. args]);
}
