using NodeAgent.FileSystem;

using static NodeAgent.Tests.FileSystem.OnDisk;

namespace NodeAgent.Tests.FileSystem;

public sealed class SecureFileSystemInspectTests : IDisposable
{
    private readonly TempTree _tree = new();
    private readonly SecureFileSystem _fs;

    public SecureFileSystemInspectTests()
    {
        _fs = new SecureFileSystem(_tree.Root);
    }

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Inspect_returns_content_permission_bits_and_owner()
    {
        var path = _tree.WriteFile("home/ubuntu/.aws/config", "[default]\nregion = us-west-2\n", Octal("640"));

        var file = _fs.Inspect(path);

        Assert.NotNull(file);
        Assert.Equal(Bytes("[default]\nregion = us-west-2\n"), file.Content);
        Assert.Equal(Octal("640"), file.Mode);
        Assert.Equal(ProcessIdentity.Current, file.Owner);
    }

    [Fact]
    public void Inspect_reads_files_larger_than_one_buffer_and_empty_files()
    {
        var large = new string('x', 70_000);
        var path = _tree.WriteFile("big", large, Octal("600"));
        var empty = _tree.WriteFile("empty", string.Empty, Octal("600"));

        Assert.Equal(70_000, _fs.Inspect(path)!.Content.Length);
        Assert.Empty(_fs.Inspect(empty)!.Content);
    }

    [Fact]
    public void Inspect_returns_null_when_the_file_or_a_directory_on_the_way_is_missing()
    {
        Directory.CreateDirectory(_tree["home/ubuntu"]);
        _tree.WriteFile("opt", "a file, not a directory", Octal("644"));

        Assert.Null(_fs.Inspect(_tree["home/ubuntu/.aws/credentials"]));
        Assert.Null(_fs.Inspect(_tree["home/nobody/.aws/credentials"]));
        Assert.Null(_fs.Inspect(_tree["opt/sensor/.env"]));
    }

    [Fact]
    public void Inspect_refuses_a_symlinked_target_and_a_symlinked_directory()
    {
        var real = _tree.WriteFile("real/credentials", "x", Octal("600"));
        Directory.CreateDirectory(_tree["home/ubuntu/.aws"]);
        File.CreateSymbolicLink(_tree["home/ubuntu/.aws/credentials"], real);
        File.CreateSymbolicLink(_tree["home/ubuntu/linked"], _tree["real"]);

        Assert.Equal(_tree["home/ubuntu/.aws/credentials"],
            Assert.Throws<UnsafePathException>(() => _fs.Inspect(_tree["home/ubuntu/.aws/credentials"])).Path);
        Assert.Equal(_tree["home/ubuntu/linked"],
            Assert.Throws<UnsafePathException>(() => _fs.Inspect(_tree["home/ubuntu/linked/credentials"])).Path);
    }

    [Fact]
    public void Inspect_refuses_a_fifo_without_blocking_on_it()
    {
        var fifo = _tree["opt/sensor/.env"];
        Directory.CreateDirectory(Path.GetDirectoryName(fifo)!);
        TempTree.Run("mkfifo", fifo);

        var error = Assert.Throws<UnsafePathException>(() => _fs.Inspect(fifo));

        Assert.Contains("not a regular file", error.Message);
    }

    [Fact]
    public void Delete_removes_a_regular_file_and_ignores_an_absent_one()
    {
        var path = _tree.WriteFile("opt/sensor/docker.env", "A=1", Octal("600"));

        _fs.Delete(path);
        _fs.Delete(path);
        _fs.Delete(_tree["missing/dir/file"]);

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Delete_refuses_a_symlinked_directory_and_leaves_the_destination_alone()
    {
        var victim = _tree.WriteFile("victim/docker.env", "keep", Octal("600"));
        File.CreateSymbolicLink(_tree["opt"], _tree["victim"]);

        Assert.Throws<UnsafePathException>(() => _fs.Delete(_tree["opt/docker.env"]));

        Assert.Equal("keep", Text(victim));
    }
}

public sealed class UserDirectoryTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Find_returns_root_with_its_home()
    {
        var root = UserDirectory.Find("root");

        Assert.Equal(new UserAccount("root", 0, 0, "/root"), root);
    }

    [Fact]
    public void Find_returns_null_for_an_unknown_user()
    {
        Assert.Null(UserDirectory.Find("nodeagent-no-such-user"));
        Assert.Null(UserDirectory.Find(string.Empty));
    }

    [Fact]
    public void Current_identity_owns_files_the_process_creates()
    {
        var path = _tree.WriteFile("probe", "x", Octal("600"));

        var stat = Stat(path);

        Assert.Equal(new FileOwner(stat.Uid, stat.Gid), ProcessIdentity.Current);
        Assert.Equal(stat.Uid == 0, ProcessIdentity.IsRoot);
    }
}
