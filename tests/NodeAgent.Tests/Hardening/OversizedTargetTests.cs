using NodeAgent.Cli;
using NodeAgent.FileSystem;
using NodeAgent.Tests.FileSystem;

namespace NodeAgent.Tests.Hardening;

/// <summary>Issue 9, break 2: `truncate -s 1G ~/.aws/credentials` must not make root read, diff or back up 1 GiB.</summary>
public sealed class OversizedTargetTests
{
    [RootFact]
    public async Task A_user_grown_sparse_target_is_drifted_replaced_without_being_read_and_never_diffed_or_backed_up()
    {
        using var host = new UserHost();
        Assert.True((await host.ApplyAsync()).ExitCode == ExitCodes.Ok);
        var credentials = host.Target($"{UserHost.Home}/.aws/credentials");
        host.AsUser($"truncate -s 1G '{credentials}'");
        Assert.Equal(1L << 30, new FileInfo(credentials).Length);

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var dry = await host.ApplyAsync("--dry-run", "--diff");
        var run = await host.ApplyAsync();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.True(dry.ExitCode == ExitCodes.Ok, dry.ToString());
        Assert.Contains("oversized: 1 GiB", dry.Output, StringComparison.Ordinal);
        Assert.Contains($"--- {credentials}: not diffed (oversized: 1 GiB)", dry.Output, StringComparison.Ordinal);
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("oversized: 1 GiB", run.Output, StringComparison.Ordinal);
        Assert.True(new FileInfo(credentials).Length < 4096);
        Assert.Contains("aws_access_key_id", File.ReadAllText(credentials), StringComparison.Ordinal);
        Assert.Equal(host.User.Uid, OnDisk.Stat(credentials).Uid);
        Assert.All(Directory.EnumerateFiles(host.Backups), f => Assert.True(new FileInfo(f).Length <= SecureFileSystem.MaxTargetBytes, f));
        Assert.Contains("oversized (1073741824 bytes): not kept", File.ReadAllText(Path.Combine(host.Backups, BackupManifest.FileName)), StringComparison.Ordinal);

        // Reading the file whole, as before, allocates at least its 1 GiB twice (read and backup).
        Assert.True(allocated < 256L << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void Sizes_read_as_an_operator_writes_them()
    {
        Assert.Equal("1 GiB", NodeAgent.Planning.TargetSize.Describe(1L << 30));
        Assert.Equal("1.5 MiB", NodeAgent.Planning.TargetSize.Describe(3L << 19));
        Assert.Equal("812 bytes", NodeAgent.Planning.TargetSize.Describe(812));
    }
}
