using NodeAgent.FileSystem;
using NodeAgent.Native;

using static NodeAgent.Tests.FileSystem.OnDisk;

namespace NodeAgent.Tests.FileSystem;

public sealed class FileSetTransactionTests : IDisposable
{
    private const string NewSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private readonly TempTree _tree = new();
    private readonly SecureFileSystem _fs;
    private readonly FileSetTransaction _transaction;

    public FileSetTransactionTests()
    {
        _fs = new SecureFileSystem(_tree.Root);
        _transaction = new FileSetTransaction(_fs, _tree["var/lib/nodeagent/backup"]);
    }

    private string Backups => _tree["var/lib/nodeagent/backup"];

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Apply_writes_every_changed_file_and_returns_their_paths_in_order()
    {
        var set = HostSet("1");

        var written = _transaction.Apply(set);

        Assert.Equal(set.Select(f => f.Path), written);
        foreach (var file in set)
        {
            Assert.Equal(file.Content, File.ReadAllBytes(file.Path));
            Assert.Equal(file.Mode, Mode(file.Path));
        }

        Assert.Empty(_tree.TempFiles());
    }

    [Fact]
    public void Second_apply_of_the_same_set_writes_nothing_and_leaves_mtime_and_inode_unchanged()
    {
        var set = HostSet("1");
        _transaction.Apply(set);
        var before = set.Select(f => Stat(f.Path)).Select(s => (s.Inode, s.ModifyTimeSeconds, s.ModifyTimeNanoseconds, s.ChangeTimeSeconds, s.ChangeTimeNanoseconds)).ToList();
        var manifestBefore = File.ReadAllBytes(Path.Combine(Backups, BackupManifest.FileName));

        var written = _transaction.Apply(HostSet("1"));

        Assert.Empty(written);
        var after = set.Select(f => Stat(f.Path)).Select(s => (s.Inode, s.ModifyTimeSeconds, s.ModifyTimeNanoseconds, s.ChangeTimeSeconds, s.ChangeTimeNanoseconds)).ToList();
        Assert.Equal(before, after);
        Assert.Equal(manifestBefore, File.ReadAllBytes(Path.Combine(Backups, BackupManifest.FileName)));
    }

    [Fact]
    public void Only_files_that_differ_are_written()
    {
        _transaction.Apply(HostSet("1"));
        var changed = HostSet("1");
        changed[2] = changed[2] with { Content = Bytes("AWS_SECRET_ACCESS_KEY=rotated\n") };

        var written = _transaction.Apply(changed);

        Assert.Equal([changed[2].Path], written);
    }

    [Fact]
    public void Mode_drift_with_the_same_content_is_rewritten_to_0600()
    {
        var set = HostSet("1");
        _tree.WriteFile("opt/sensor/.env", System.Text.Encoding.UTF8.GetString(set[2].Content), Octal("644"));

        var written = _transaction.Apply(set);

        Assert.Contains(set[2].Path, written);
        Assert.Equal(Octal("600"), Mode(set[2].Path));
    }

    [RootFact]
    public void Owner_drift_with_the_same_content_and_mode_is_rewritten()
    {
        var user = TestUser.Ensure();
        var path = _tree.WriteFile("opt/sensor/docker.env", "A=1\n", Octal("600"));
        var desired = new DesiredFile(path, Bytes("A=1\n"), Octal("600"), user.Owner, false);

        Assert.Equal([path], _transaction.Apply([desired]));
        Assert.Equal(user.Uid, Stat(path).Uid);
        Assert.Empty(_transaction.Apply([desired]));
    }

    [Fact]
    public void Without_an_owner_only_content_and_mode_are_compared()
    {
        var path = _tree.WriteFile("opt/sensor/docker.env", "A=1\n", Octal("600"));

        Assert.Empty(_transaction.Apply([new DesiredFile(path, Bytes("A=1\n"), Octal("600"), null, false)]));
    }

    [RootFact]
    public void A_rename_failing_mid_set_restores_every_target_to_its_previous_content_and_mode()
    {
        var credentials = _tree.WriteFile("home/ubuntu/.aws/credentials", "old credentials\n", Octal("600"));
        var config = _tree["home/ubuntu/.aws/config"]; // did not exist before: rollback must remove it
        var env = _tree.WriteFile("opt/sensor/.env", "OLD_ENV=1\n", Octal("644"));
        var yaml = _tree.WriteFile("opt/sensor/config/databricks-storage-config.yaml", "bucket: old\n", Octal("640"));
        _tree.MakeImmutable(env); // root cannot rename over an immutable file: EPERM at commit of #3

        var error = Assert.Throws<FileWriteException>(() => _transaction.Apply(HostSet("2")));

        Assert.True(error.RolledBack);
        Assert.Equal(env, error.Path);
        Assert.Equal(LibC.EPERM, error.Errno);
        Assert.Contains("Operation not permitted", error.Message);
        Assert.Contains("2 file(s) already replaced were restored", error.Message);
        Assert.DoesNotContain(NewSecret, error.ToString());
        Assert.Equal(("old credentials\n", Octal("600")), (Text(credentials), Mode(credentials)));
        Assert.False(File.Exists(config));
        Assert.Equal(("OLD_ENV=1\n", Octal("644")), (Text(env), Mode(env)));
        Assert.Equal(("bucket: old\n", Octal("640")), (Text(yaml), Mode(yaml)));
        Assert.Empty(_tree.TempFiles());
    }

    [RootFact]
    public void Rollback_restores_the_previous_owner()
    {
        var user = TestUser.Ensure();
        var first = _tree.WriteFile("home/ubuntu/.aws/credentials", "old\n", Octal("600"));
        File.SetUnixFileMode(first, Octal("600").ToUnixFileMode());
        TempTree.Run("chown", $"{user.Uid}:{user.Gid}", first);
        var second = _tree.WriteFile("opt/sensor/.env", "old env\n", Octal("600"));
        _tree.MakeImmutable(second);

        var error = Assert.Throws<FileWriteException>(() => _transaction.Apply(
        [
            new DesiredFile(first, Bytes("new\n"), Octal("600"), new FileOwner(0, 0), true),
            new DesiredFile(second, Bytes("new env\n"), Octal("600"), null, false),
        ]));

        Assert.True(error.RolledBack);
        var stat = Stat(first);
        Assert.Equal((user.Uid, user.Gid, "old\n"), (stat.Uid, stat.Gid, Text(first)));
    }

    [Fact]
    public void A_staging_failure_touches_no_target_and_leaves_no_temp_file()
    {
        var credentials = _tree.WriteFile("home/ubuntu/.aws/credentials", "old credentials\n", Octal("600"));
        var env = _tree.WriteFile("opt/sensor/.env", "OLD_ENV=1\n", Octal("600"));
        _tree.WriteFile("srv", "a regular file where a directory is needed\n", Octal("644"));
        var inodes = new[] { Stat(credentials).Inode, Stat(env).Inode };

        var error = Assert.Throws<FileWriteException>(() => _transaction.Apply(
        [
            new DesiredFile(credentials, Bytes($"new {NewSecret}\n"), Octal("600"), null, true),
            new DesiredFile(env, Bytes($"NEW={NewSecret}\n"), Octal("600"), null, false),
            new DesiredFile(_tree["srv/sensor/docker.env"], Bytes($"NEW={NewSecret}\n"), Octal("600"), null, false),
        ]));

        Assert.True(error.RolledBack);
        Assert.Equal(_tree["srv"], error.Path);
        Assert.Equal(LibC.ENOTDIR, error.Errno);
        Assert.Contains("Not a directory", error.Message);
        Assert.DoesNotContain(NewSecret, error.ToString());
        Assert.Equal("old credentials\n", Text(credentials));
        Assert.Equal("OLD_ENV=1\n", Text(env));
        Assert.Equal(inodes, new[] { Stat(credentials).Inode, Stat(env).Inode });
        Assert.Empty(_tree.TempFiles());
    }

    [Fact]
    public void Apply_refuses_to_follow_a_symlink_planted_in_home_aws_and_writes_no_other_target()
    {
        var env = _tree.WriteFile("opt/sensor/.env", "OLD_ENV=1\n", Octal("600"));
        var shadow = _tree.WriteFile("etc/shadow", "root:*:1::::::\n", Octal("640"));
        Directory.CreateDirectory(_tree["home/ubuntu/.aws"]);
        File.CreateSymbolicLink(_tree["home/ubuntu/.aws/credentials"], shadow);

        var error = Assert.Throws<UnsafePathException>(() => _transaction.Apply(
        [
            new DesiredFile(env, Bytes("NEW=1\n"), Octal("600"), null, false),
            new DesiredFile(_tree["home/ubuntu/.aws/credentials"], Bytes(NewSecret), Octal("600"), null, true),
        ]));

        Assert.Equal(_tree["home/ubuntu/.aws/credentials"], error.Path);
        Assert.Equal("root:*:1::::::\n", Text(shadow));
        Assert.Equal("OLD_ENV=1\n", Text(env));
        Assert.Empty(_tree.TempFiles());
    }

    [Fact]
    public void Backups_of_the_previous_set_stay_as_0600_files_in_a_0700_directory_with_a_manifest()
    {
        _transaction.Apply(HostSet("1"));
        var previous = HostSet("1");

        _transaction.Apply(HostSet("2"));

        Assert.Equal(Octal("700"), Mode(Backups));
        var backupFiles = Directory.GetFiles(Backups);
        Assert.Equal(5, backupFiles.Length); // four backups + manifest
        Assert.All(backupFiles, path => Assert.Equal(Octal("600"), Mode(path)));

        var manifest = BackupManifest.Parse(File.ReadAllBytes(Path.Combine(Backups, BackupManifest.FileName)));
        Assert.Equal(previous.Select(f => f.Path), manifest.Files.Select(e => e.Path));
        foreach (var (entry, file) in manifest.Files.Zip(previous))
        {
            Assert.True(entry.Existed);
            Assert.Equal(file.Content, File.ReadAllBytes(Path.Combine(Backups, entry.BackupFile!)));
            Assert.Equal(file.Mode, entry.Mode);
            Assert.Equal(ProcessIdentity.Current, new FileOwner(entry.Uid, entry.Gid));
        }

        Assert.Empty(_tree.TempFiles());
    }

    [Fact]
    public void The_manifest_records_files_that_did_not_exist_and_old_backups_are_pruned()
    {
        _transaction.Apply(HostSet("1")); // nothing existed: manifest says so, no backup files
        var first = BackupManifest.Parse(File.ReadAllBytes(Path.Combine(Backups, BackupManifest.FileName)));
        Assert.All(first.Files, entry => Assert.False(entry.Existed));
        Assert.Equal([BackupManifest.FileName], Directory.GetFiles(Backups).Select(Path.GetFileName));

        _transaction.Apply(HostSet("2"));
        _transaction.Apply(HostSet("3"));

        Assert.Equal(5, Directory.GetFiles(Backups).Length);
    }

    [Fact]
    public void After_an_apply_that_changes_one_file_the_backups_still_hold_the_complete_previous_set()
    {
        _transaction.Apply(HostSet("1"));
        _transaction.Apply(HostSet("2"));
        var previous = HostSet("2");
        var changed = HostSet("2");
        changed[2] = changed[2] with { Content = Bytes("AWS_SECRET_ACCESS_KEY=rotated\n") };

        Assert.Equal([changed[2].Path], _transaction.Apply(changed));

        var manifest = BackupManifest.Parse(File.ReadAllBytes(Path.Combine(Backups, BackupManifest.FileName)));
        Assert.Equal(previous.Select(f => f.Path), manifest.Files.Select(e => e.Path));
        foreach (var (entry, file) in manifest.Files.Zip(previous))
        {
            Assert.True(entry.Existed);
            Assert.Equal(file.Content, File.ReadAllBytes(Path.Combine(Backups, entry.BackupFile!)));
            Assert.Equal(file.Mode, entry.Mode);
        }

        Assert.Equal(5, Directory.GetFiles(Backups).Length); // four backups + manifest, the older set pruned
    }

    [Fact]
    public void Links_fifos_and_directories_named_like_backups_neither_block_apply_nor_are_followed()
    {
        var outside = _tree.WriteFile("etc/important", "keep me\n", Octal("644"));
        _transaction.Apply(HostSet("1"));
        var link = Path.Combine(Backups, "stray.backup");
        var dangling = Path.Combine(Backups, "dangling.backup");
        var fifo = Path.Combine(Backups, "fifo.backup");
        File.CreateSymbolicLink(link, outside);
        File.CreateSymbolicLink(dangling, _tree["nowhere"]);
        Directory.CreateDirectory(Path.Combine(Backups, "directory.backup"));
        TempTree.Run("mkfifo", fifo);

        _transaction.Apply(HostSet("2"));
        var written = _transaction.Apply(HostSet("3"));

        Assert.Equal(HostSet("3").Select(f => f.Path), written);
        Assert.Equal("keep me\n", Text(outside));
        Assert.True(Stat(link).IsSymbolicLink);
        Assert.True(Stat(dangling).IsSymbolicLink);
        Assert.False(Stat(fifo).IsRegularFile);
        var manifest = BackupManifest.Parse(File.ReadAllBytes(Path.Combine(Backups, BackupManifest.FileName)));
        Assert.All(manifest.Files, entry => Assert.True(File.Exists(Path.Combine(Backups, entry.BackupFile!))));
    }

    [Fact]
    public void A_backup_directory_that_exists_with_loose_permissions_is_tightened_to_0700()
    {
        Directory.CreateDirectory(Backups);
        File.SetUnixFileMode(Backups, Octal("755").ToUnixFileMode());
        _tree.WriteFile("opt/sensor/.env", "OLD=1\n", Octal("600"));

        _transaction.Apply([new DesiredFile(_tree["opt/sensor/.env"], Bytes("NEW=1\n"), Octal("600"), null, false)]);

        Assert.Equal(Octal("700"), Mode(Backups));
    }

    [Fact]
    public void The_same_target_twice_in_one_set_is_refused_before_anything_is_written()
    {
        var path = _tree["opt/sensor/.env"];

        Assert.Throws<ArgumentException>(() => _transaction.Apply(
        [
            new DesiredFile(path, Bytes("A=1"), Octal("600"), null, false),
            new DesiredFile(path, Bytes("A=2"), Octal("600"), null, false),
        ]));

        Assert.False(File.Exists(path));
    }

    private List<DesiredFile> HostSet(string tag) =>
    [
        new(_tree["home/ubuntu/.aws/credentials"], Bytes($"[default]\naws_secret_access_key = {NewSecret}{tag}\n"), Octal("600"), null, true),
        new(_tree["home/ubuntu/.aws/config"], Bytes($"[default]\nregion = us-west-2 {tag}\n"), Octal("600"), null, true),
        new(_tree["opt/sensor/.env"], Bytes($"AWS_SECRET_ACCESS_KEY={NewSecret}{tag}\n"), Octal("600"), null, false),
        new(_tree["opt/sensor/config/databricks-storage-config.yaml"], Bytes($"bucket: b{tag}\n"), Octal("644"), null, false),
    ];
}
