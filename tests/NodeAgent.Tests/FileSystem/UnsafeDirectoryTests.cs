using NodeAgent.FileSystem;

using static NodeAgent.Tests.FileSystem.OnDisk;

namespace NodeAgent.Tests.FileSystem;

/// <summary>
/// Whoever may add entries to a directory can rename a file of their own over a target in it, whatever the
/// target's mode. These tests use real directories, modes and owners.
/// </summary>
public sealed class UnsafeDirectoryTests : IDisposable
{
    private const string NewSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private readonly TempTree _tree = new();
    private readonly SecureFileSystem _fs;
    private readonly FileSetTransaction _transaction;

    public UnsafeDirectoryTests()
    {
        _fs = new SecureFileSystem(_tree.Root);
        _transaction = new FileSetTransaction(_fs, _tree["var/lib/nodeagent/backup"]);
    }

    private string Backups => _tree["var/lib/nodeagent/backup"];

    public void Dispose() => _tree.Dispose();

    [RootFact]
    public void A_world_writable_home_aws_is_brought_to_0700_and_the_files_owner_and_a_second_apply_writes_nothing()
    {
        var user = TestUser.Ensure();
        var home = MakeDirectory("home/nodeagent-test", "755");
        TempTree.Run("chown", $"{user.Uid}:{user.Gid}", home);
        var aws = MakeDirectory("home/nodeagent-test/.aws", "777"); // root-owned, as `sudo mkdir` leaves it
        var content = $"[default]\naws_secret_access_key = {NewSecret}\n";
        var credentials = _tree.WriteFile("home/nodeagent-test/.aws/credentials", content, Octal("600"));
        TempTree.Run("chown", $"{user.Uid}:{user.Gid}", credentials);
        var desired = new DesiredFile(credentials, Bytes(content), Octal("600"), user.Owner, PrivateParent: true);

        var existing = _fs.Inspect(credentials, user.Owner, privateParent: true);
        Assert.Equal(
            [$"directory {aws} mode 0777 → 0700", $"directory {aws} owner 0:0 → {user.Uid}:{user.Gid}"],
            PrivateDirectory.Drift(desired, existing));
        Assert.False(FileSetTransaction.IsAlreadyInPlace(desired, existing));

        Assert.Equal([credentials], _transaction.Apply([desired]));

        var directory = Stat(aws);
        Assert.Equal((Octal("700"), user.Uid, user.Gid), (directory.Permissions, directory.Uid, directory.Gid));
        Assert.Equal(content, Text(credentials));
        Assert.Equal(Octal("755"), Mode(home)); // only the private parent is changed
        Assert.Empty(PrivateDirectory.Drift(desired, _fs.Inspect(credentials, user.Owner, privateParent: true)));
        Assert.Empty(_transaction.Apply([desired]));
    }

    [Fact]
    public void A_loose_home_aws_is_tightened_even_when_no_owner_is_asked_for()
    {
        var aws = MakeDirectory("home/ubuntu/.aws", "757");
        var config = _tree.WriteFile("home/ubuntu/.aws/config", "[default]\n", Octal("600"));
        var desired = new DesiredFile(config, Bytes("[default]\n"), Octal("600"), null, PrivateParent: true);

        Assert.Equal([config], _transaction.Apply([desired]));

        Assert.Equal(Octal("700"), Mode(aws));
        Assert.Empty(_transaction.Apply([desired]));
    }

    [Fact]
    public void A_world_writable_opt_sensor_without_the_sticky_bit_is_refused_by_name_and_nothing_is_written()
    {
        var sensor = MakeDirectory("opt/sensor", "777");
        var env = _tree.WriteFile("opt/sensor/docker.env", "OLD=1\n", Octal("600"));
        var credentials = _tree["home/ubuntu/.aws/credentials"];

        var error = Assert.Throws<UnsafePathException>(() => _transaction.Apply(
        [
            new DesiredFile(credentials, Bytes(NewSecret), Octal("600"), null, PrivateParent: true),
            new DesiredFile(env, Bytes($"AWS_SECRET_ACCESS_KEY={NewSecret}\n"), Octal("600"), null, PrivateParent: false),
        ]));

        Assert.Equal(sensor, error.Path);
        Assert.Contains("writable by group and others (mode 0777) without the sticky bit", error.Message);
        Assert.Contains($"chmod go-w {sensor}", error.Message);
        Assert.DoesNotContain(NewSecret, error.ToString());
        Assert.False(File.Exists(credentials));
        Assert.Equal("OLD=1\n", Text(env));
        Assert.False(Directory.Exists(Backups));
        Assert.Empty(_tree.TempFiles());
        Assert.Equal(Octal("777"), Mode(sensor)); // refused, not silently "fixed"
    }

    [Fact]
    public void Inspect_refuses_a_file_below_a_group_writable_directory_so_verify_and_dry_run_see_it()
    {
        var config = MakeDirectory("opt/sensor/config", "775");
        var json = _tree.WriteFile("opt/sensor/config/s3-config.json", "{}", Octal("600"));

        var error = Assert.Throws<UnsafePathException>(() => _fs.Inspect(json));

        Assert.Equal(config, error.Path);
        Assert.Contains("writable by its group (mode 0775)", error.Why);
        Assert.Equal($"chmod go-w {config}, then run apply again", error.Fix);
    }

    [Fact]
    public void Every_target_below_one_unsafe_directory_gets_the_same_refusal_so_it_can_be_reported_once()
    {
        MakeDirectory("opt/sensor", "777");

        var env = Assert.Throws<UnsafePathException>(() => _fs.Inspect(_tree["opt/sensor/.env"]));
        var json = Assert.Throws<UnsafePathException>(() => _fs.Inspect(_tree["opt/sensor/config/s3-config.json"]));

        Assert.Equal((env.Path, env.Why, env.Fix), (json.Path, json.Why, json.Fix));
    }

    [Fact]
    public void A_sticky_world_writable_directory_is_accepted()
    {
        var shared = MakeDirectory("srv/shared", "1777");
        var path = Path.Combine(shared, "s3-config.json");

        Assert.Equal([path], _transaction.Apply([new DesiredFile(path, Bytes("{}"), Octal("644"), null, PrivateParent: false)]));

        Assert.Equal("{}", Text(path));
        Assert.Equal(Octal("1777"), Mode(shared));
    }

    [RootFact]
    public void A_directory_owned_by_another_user_is_refused_by_name_and_nothing_is_written()
    {
        var user = TestUser.Ensure();
        var sensor = MakeDirectory("opt/sensor", "755");
        TempTree.Run("chown", $"{user.Uid}:{user.Gid}", sensor);
        var env = _tree["opt/sensor/.env"];

        var error = Assert.Throws<UnsafePathException>(() => _transaction.Apply(
            [new DesiredFile(env, Bytes($"AWS_SECRET_ACCESS_KEY={NewSecret}\n"), Octal("600"), new FileOwner(0, 0), PrivateParent: false)]));

        Assert.Equal(sensor, error.Path);
        Assert.Contains($"is owned by uid {user.Uid}", error.Message);
        Assert.Contains($"chown root {sensor}", error.Message);
        Assert.DoesNotContain(NewSecret, error.ToString());
        Assert.False(File.Exists(env));
        Assert.Empty(_tree.TempFiles());
    }

    [RootFact]
    public void A_directory_owned_by_the_files_owner_is_accepted_like_a_home_directory()
    {
        var user = TestUser.Ensure();
        var home = MakeDirectory("home/nodeagent-test", "755");
        TempTree.Run("chown", $"{user.Uid}:{user.Gid}", home);
        var credentials = _tree["home/nodeagent-test/.aws/credentials"];

        Assert.Equal([credentials], _transaction.Apply([new DesiredFile(credentials, Bytes(NewSecret), Octal("600"), user.Owner, PrivateParent: true)]));

        Assert.Equal(user.Uid, Stat(credentials).Uid);
    }

    [RootFact]
    public void A_home_aws_owned_by_another_user_is_refused_when_no_owner_is_asked_for()
    {
        var user = TestUser.Ensure();
        var aws = MakeDirectory("home/ubuntu/.aws", "700");
        TempTree.Run("chown", $"{user.Uid}:{user.Gid}", aws);

        var error = Assert.Throws<UnsafePathException>(() => _transaction.Apply(
            [new DesiredFile(Path.Combine(aws, "credentials"), Bytes(NewSecret), Octal("600"), null, PrivateParent: true)]));

        Assert.Equal(aws, error.Path);
        Assert.Contains("chown root", error.Fix);
    }

    private string MakeDirectory(string relative, string mode)
    {
        var path = _tree[relative];
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, Octal(mode).ToUnixFileMode()); // exact bits, whatever the umask
        return path;
    }
}
