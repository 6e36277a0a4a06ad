using NodeAgent.FileSystem;
using NodeAgent.Native;

using static NodeAgent.Tests.FileSystem.OnDisk;

namespace NodeAgent.Tests.FileSystem;

public sealed class SecureFileSystemWriteTests : IDisposable
{
    private const string Secret = "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
    private readonly TempTree _tree = new();
    private readonly SecureFileSystem _fs;

    public SecureFileSystemWriteTests()
    {
        _fs = new SecureFileSystem(_tree.Root);
    }

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Write_creates_the_file_with_exact_content_and_mode_and_leaves_no_temp_file()
    {
        var path = _tree["home/ubuntu/.aws/credentials"];

        _fs.Write(new DesiredFile(path, Bytes(Secret), Octal("600"), null, PrivateParent: true));

        Assert.Equal(Secret, Text(path));
        Assert.Equal(Octal("600"), Mode(path));
        Assert.Empty(_tree.TempFiles());
    }

    [Fact]
    public void Write_replaces_an_existing_file_with_a_new_inode_so_readers_see_old_or_new()
    {
        var path = _tree.WriteFile("opt/sensor/.env", "OLD=1\n", Octal("600"));
        var before = Stat(path).Inode;

        _fs.Write(new DesiredFile(path, Bytes("NEW=2\n"), Octal("600"), null, PrivateParent: false));

        Assert.Equal("NEW=2\n", Text(path));
        Assert.NotEqual(before, Stat(path).Inode);
        Assert.Empty(_tree.TempFiles());
    }

    [Fact]
    public void Write_creates_missing_intermediate_directories_0755_owned_by_the_process_user()
    {
        var path = _tree["opt/sensor/config/s3-config.json"];

        _fs.Write(new DesiredFile(path, Bytes("{}"), Octal("644"), null, PrivateParent: false));

        var current = ProcessIdentity.Current;
        foreach (var directory in new[] { _tree["opt"], _tree["opt/sensor"], _tree["opt/sensor/config"] })
        {
            var stat = Stat(directory);
            Assert.True(stat.IsDirectory);
            Assert.Equal(Octal("755"), stat.Permissions);
            Assert.Equal(current.Uid, stat.Uid);
            Assert.Equal(current.Gid, stat.Gid);
        }

        Assert.Equal(Octal("644"), Mode(path));
    }

    [Fact]
    public void Write_creates_a_private_parent_0700_and_tightens_an_existing_one_but_leaves_the_directories_above_alone()
    {
        Directory.CreateDirectory(_tree["home/existing/.aws"]);
        File.SetUnixFileMode(_tree["home/existing/.aws"], Octal("755").ToUnixFileMode());

        _fs.Write(new DesiredFile(_tree["home/fresh/.aws/credentials"], Bytes(Secret), Octal("600"), null, PrivateParent: true));
        _fs.Write(new DesiredFile(_tree["home/existing/.aws/credentials"], Bytes(Secret), Octal("600"), null, PrivateParent: true));

        Assert.Equal(Octal("700"), Mode(_tree["home/fresh/.aws"]));
        Assert.Equal(Octal("755"), Mode(_tree["home/fresh"]));
        Assert.Equal(Octal("700"), Mode(_tree["home/existing/.aws"]));
        Assert.Equal(Octal("755"), Mode(_tree["home/existing"]));
    }

    [RootFact]
    public void Write_gives_the_file_and_a_created_aws_directory_to_a_non_root_owner()
    {
        var user = TestUser.Ensure();
        Assert.NotEqual(0u, user.Uid);
        var aws = _tree["home/nodeagent-test/.aws"];
        var path = Path.Combine(aws, "credentials");

        _fs.Write(new DesiredFile(path, Bytes(Secret), Octal("600"), user.Owner, PrivateParent: true));

        var file = Stat(path);
        Assert.Equal((user.Uid, user.Gid), (file.Uid, file.Gid));
        Assert.Equal(Octal("600"), file.Permissions);
        var directory = Stat(aws);
        Assert.Equal((user.Uid, user.Gid), (directory.Uid, directory.Gid));
        Assert.Equal(Octal("700"), directory.Permissions);

        // The home directory above it was not asked to be private: process user, 0755.
        var home = Stat(_tree["home/nodeagent-test"]);
        Assert.Equal(0u, home.Uid);
        Assert.Equal(Octal("755"), home.Permissions);
    }

    [Fact]
    public void Write_refuses_a_symlink_at_the_target_and_leaves_the_link_destination_untouched()
    {
        var shadow = _tree.WriteFile("etc/shadow", "root:*:19000:0:99999:7:::\n", Octal("640"));
        Directory.CreateDirectory(_tree["home/ubuntu/.aws"]);
        var link = _tree["home/ubuntu/.aws/credentials"];
        File.CreateSymbolicLink(link, shadow);

        var error = Assert.Throws<UnsafePathException>(() =>
            _fs.Write(new DesiredFile(link, Bytes(Secret), Octal("600"), null, PrivateParent: true)));

        Assert.Equal(link, error.Path);
        Assert.Contains("symbolic link", error.Message);
        Assert.Contains($"remove the symlink {link}", error.Message);
        Assert.DoesNotContain("wJalr", error.Message);
        Assert.Equal("root:*:19000:0:99999:7:::\n", Text(shadow));
        Assert.Equal(Octal("640"), Mode(shadow));
        Assert.True(Stat(link).IsSymbolicLink);
        Assert.Empty(_tree.TempFiles());
    }

    [Fact]
    public void Write_refuses_a_symlink_planted_at_home_aws_and_writes_nothing_in_its_destination()
    {
        var elsewhere = _tree["attacker"];
        Directory.CreateDirectory(elsewhere);
        Directory.CreateDirectory(_tree["home/ubuntu"]);
        var aws = _tree["home/ubuntu/.aws"];
        File.CreateSymbolicLink(aws, elsewhere);

        var error = Assert.Throws<UnsafePathException>(() =>
            _fs.Write(new DesiredFile(Path.Combine(aws, "credentials"), Bytes(Secret), Octal("600"), null, PrivateParent: true)));

        Assert.Equal(aws, error.Path);
        Assert.Contains($"remove the symlink {aws} and run apply again", error.Fix);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
    }

    [Fact]
    public void Write_refuses_a_symlink_at_an_intermediate_component()
    {
        var elsewhere = _tree["elsewhere"];
        Directory.CreateDirectory(Path.Combine(elsewhere, "sensor/config"));
        var opt = _tree["opt"];
        File.CreateSymbolicLink(opt, elsewhere);

        var error = Assert.Throws<UnsafePathException>(() =>
            _fs.Write(new DesiredFile(_tree["opt/sensor/config/s3-config.json"], Bytes("{}"), Octal("600"), null, PrivateParent: false)));

        Assert.Equal(opt, error.Path);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(elsewhere, "sensor/config")));
    }

    [Fact]
    public void Write_refuses_a_directory_at_the_target()
    {
        var path = _tree["opt/sensor/.env"];
        Directory.CreateDirectory(path);

        var error = Assert.Throws<UnsafePathException>(() =>
            _fs.Write(new DesiredFile(path, Bytes("A=1"), Octal("600"), null, PrivateParent: false)));

        Assert.Contains("is a directory", error.Message);
        Assert.Empty(_tree.TempFiles());
    }

    [Fact]
    public void Write_refuses_a_path_outside_the_trusted_anchor()
    {
        var outside = Path.Combine(Path.GetTempPath(), "nodeagent-outside-anchor", "x");

        var error = Assert.Throws<UnsafePathException>(() =>
            _fs.Write(new DesiredFile(_tree.Root + "/../nodeagent-outside-anchor/x", Bytes("x"), Octal("600"), null, false)));

        Assert.Equal(outside, error.Path);
        Assert.False(Directory.Exists(Path.GetDirectoryName(outside)));
    }

    [Fact]
    public void The_anchor_itself_may_be_reached_through_a_link()
    {
        var link = _tree["root-link"];
        Directory.CreateDirectory(_tree["real-root"]);
        File.CreateSymbolicLink(link, _tree["real-root"]);
        var fs = new SecureFileSystem(link);

        fs.Write(new DesiredFile(Path.Combine(link, "opt/sensor/.env"), Bytes("A=1\n"), Octal("600"), null, false));

        Assert.Equal("A=1\n", Text(_tree["real-root/opt/sensor/.env"]));
    }

    [Fact]
    public void Write_under_a_file_where_a_directory_is_needed_names_the_component_and_the_os_error()
    {
        _tree.WriteFile("opt", "not a directory", Octal("644"));

        var error = Assert.Throws<FileWriteException>(() =>
            _fs.Write(new DesiredFile(_tree["opt/sensor/.env"], Bytes("A=1"), Octal("600"), null, false)));

        Assert.Equal(_tree["opt"], error.Path);
        Assert.Equal(LibC.ENOTDIR, error.Errno);
        Assert.Contains("Not a directory", error.Message);
        Assert.Contains("move it away", error.Fix);
        Assert.Equal("not a directory", Text(_tree["opt"]));
    }

    [RootFact]
    public void Write_onto_an_immutable_file_reports_strerror_and_the_chattr_fix()
    {
        var path = _tree.WriteFile("opt/sensor/.env", "OLD=1\n", Octal("600"));
        _tree.MakeImmutable(path);

        var error = Assert.Throws<FileWriteException>(() =>
            _fs.Write(new DesiredFile(path, Bytes(Secret), Octal("600"), null, false)));

        Assert.Equal(path, error.Path);
        Assert.Equal(LibC.EPERM, error.Errno);
        Assert.Contains("Operation not permitted", error.Message);
        Assert.Contains("chattr -i", error.Fix);
        Assert.DoesNotContain("wJalr", error.ToString());
        Assert.Equal("OLD=1\n", Text(path));
        Assert.Empty(_tree.TempFiles());
    }
}

[Collection(ProcessUmaskCollection.Name)]
public sealed class SecureFileSystemUmaskTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Umask_000_still_yields_0600_and_the_temp_file_is_never_more_permissive()
    {
        var observed = new List<PermissionBits>();
        var fs = new SecureFileSystem(_tree.Root) { TempFileCreated = (_, mode) => observed.Add(mode) };
        var path = _tree["home/ubuntu/.aws/credentials"];

        var previous = LibC.umask(0);
        try
        {
            fs.Write(new DesiredFile(path, Bytes("secret"), Octal("600"), null, PrivateParent: true));
        }
        finally
        {
            _ = LibC.umask(previous);
        }

        // The temp file as the kernel created it, before fchmod ran: already no group/other bits.
        Assert.Equal([Octal("600")], observed);
        Assert.Equal(Octal("600"), Mode(path));
        Assert.Equal(Octal("700"), Mode(_tree["home/ubuntu/.aws"]));
        Assert.Equal(Octal("755"), Mode(_tree["home/ubuntu"]));
    }

    [Fact]
    public void A_strict_umask_does_not_narrow_the_requested_modes()
    {
        var fs = new SecureFileSystem(_tree.Root);
        var path = _tree["opt/sensor/config/databricks-storage-config.yaml"];

        var previous = LibC.umask(Convert.ToUInt32("077", 8));
        try
        {
            fs.Write(new DesiredFile(path, Bytes("bucket: b\n"), Octal("644"), null, PrivateParent: false));
        }
        finally
        {
            _ = LibC.umask(previous);
        }

        Assert.Equal(Octal("644"), Mode(path));
        Assert.Equal(Octal("755"), Mode(_tree["opt/sensor/config"]));
    }
}
