using NodeAgent.FileSystem;
using NodeAgent.Tests.FileSystem;

using static NodeAgent.Tests.FileSystem.OnDisk;

namespace NodeAgent.Tests.Hardening;

/// <summary>Issue 9, break 9: failed runs must not leave secrets behind, and must say what is really on disk.</summary>
public sealed class FailureLitterTests : IDisposable
{
    private readonly TempTree _tree = new();

    private string Backups => _tree["var/lib/nodeagent/previous"];

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void A_run_whose_backups_fail_removes_the_backup_files_it_wrote_so_failures_do_not_pile_up()
    {
        var transaction = new FileSetTransaction(new SecureFileSystem(_tree.Root), Backups);
        transaction.Apply([Secret("home/u/.aws/credentials", "v1"), Secret("home/u/.aws/config", "v1")]);
        var before = Directory.EnumerateFiles(Backups).Order(StringComparer.Ordinal).ToList();

        // The manifest cannot be written (a directory where it goes: as good as a full disk for this run).
        File.Delete(Path.Combine(Backups, BackupManifest.FileName));
        Directory.CreateDirectory(Path.Combine(Backups, BackupManifest.FileName));
        for (var run = 2; run <= 4; run++)
        {
            Assert.Throws<UnsafePathException>(() =>
                transaction.Apply([Secret("home/u/.aws/credentials", $"v{run}"), Secret("home/u/.aws/config", $"v{run}")]));
        }

        Assert.Equal(before.Where(f => !f.EndsWith(BackupManifest.FileName, StringComparison.Ordinal)),
            Directory.EnumerateFiles(Backups).Order(StringComparer.Ordinal));
        Assert.Contains("v1", Text(_tree["home/u/.aws/credentials"]), StringComparison.Ordinal);
    }

    [RootFact]
    public void Stale_temp_files_of_a_target_are_swept_by_its_next_write_and_fresh_ones_are_left_alone()
    {
        var user = TestUser.Ensure();
        var fs = new SecureFileSystem(_tree.Root);
        var stale = _tree.WriteFile("home/u/.aws/.credentials.nodeagent-0123456789ab", "aws_secret_access_key = old", Octal("600"));
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-2));
        var fresh = _tree.WriteFile("home/u/.aws/.credentials.nodeagent-ba9876543210", "in flight", Octal("600"));
        var foreign = _tree.WriteFile("home/u/.aws/.config.nodeagent-0123456789ab", "another target's", Octal("600"));
        File.SetLastWriteTimeUtc(foreign, DateTime.UtcNow.AddHours(-2));
        var notOurs = _tree.WriteFile("home/u/.aws/.credentials.nodeagent-keep-me", "user's", Octal("600"));
        File.SetLastWriteTimeUtc(notOurs, DateTime.UtcNow.AddHours(-2));
        TempTree.Run("chown", "-R", $"{user.Uid}:{user.Gid}", _tree["home/u/.aws"]);

        new FileSetTransaction(fs, Backups).Apply([Secret("home/u/.aws/credentials", "new") with { Owner = user.Owner }]);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh), "a temp file younger than the stale age may belong to a live writer");
        Assert.True(File.Exists(foreign), "only the written target's own temp files are swept");
        Assert.True(File.Exists(notOurs), "only NodeAgent's exact temp-name shape is swept");
    }

    [RootFact]
    public void When_the_restore_fails_too_the_message_says_which_targets_hold_the_new_content()
    {
        var first = Secret("a/.aws/credentials", "new");
        var second = Secret("b/.aws/credentials", "new");
        new FileSetTransaction(new SecureFileSystem(_tree.Root), Backups).Apply([Secret("a/.aws/credentials", "old"), Secret("b/.aws/credentials", "old")]);
        _tree.MakeImmutable(second.Path); // its rename fails after the first target was replaced
        var temps = 0;
        var fs = new SecureFileSystem(_tree.Root)
        {
            // The second temp file beside the first target is its restore: the directory becomes unwritable under it,
            // as after a read-only remount, so the restore's rename fails for real.
            TempFileCreated = (path, _) =>
            {
                if (Path.GetDirectoryName(path) == Path.GetDirectoryName(first.Path) && ++temps == 2)
                {
                    _tree.MakeImmutable(Path.GetDirectoryName(path)!);
                }
            },
        };

        var failure = Assert.Throws<FileWriteException>(() => new FileSetTransaction(fs, Backups).Apply([first, second]));

        Assert.False(failure.RolledBack);
        Assert.DoesNotContain("nothing was changed", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"on disk now: {first.Path} hold(s) the NEW content, {second.Path} the previous content", failure.Message, StringComparison.Ordinal);
        Assert.Contains("new", Text(first.Path), StringComparison.Ordinal);
        Assert.Contains("old", Text(second.Path), StringComparison.Ordinal);
    }

    private DesiredFile Secret(string relative, string tag, bool privateParent = true) =>
        new(_tree[relative], Bytes($"[default]\naws_secret_access_key = {tag}\n"), Octal("600"), null, privateParent);
}
