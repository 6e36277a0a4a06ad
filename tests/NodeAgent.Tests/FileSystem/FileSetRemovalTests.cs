using NodeAgent.FileSystem;

using static NodeAgent.Tests.FileSystem.OnDisk;

namespace NodeAgent.Tests.FileSystem;

/// <summary>
/// An absent target (the credentials file on an instance-profile host) is removed inside the set: backed up first,
/// put back when a later file of the set fails, never followed when it is a link.
/// </summary>
public sealed class FileSetRemovalTests : IDisposable
{
    private readonly TempTree _tree = new();
    private readonly FileSetTransaction _transaction;

    public FileSetRemovalTests() => _transaction = new FileSetTransaction(new SecureFileSystem(_tree.Root), _tree["var/lib/nodeagent/previous"]);

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void An_absent_target_is_removed_with_its_backup_kept_and_an_absent_one_is_already_in_place()
    {
        var credentials = _tree.WriteFile("root/.aws/credentials", "[default]\naws_access_key_id = x\n", Octal("600"));
        var config = _tree["root/.aws/config"];

        var written = _transaction.Apply([Absent(credentials), new DesiredFile(config, Bytes("[default]\nregion = us-west-2\n"), Octal("600"), null, true)]);

        Assert.Equal([credentials, config], written);
        Assert.False(File.Exists(credentials));
        Assert.Contains(credentials, File.ReadAllText(_tree["var/lib/nodeagent/previous/manifest.json"]), StringComparison.Ordinal);
        Assert.Empty(_transaction.Apply([Absent(credentials)]));
    }

    [RootFact]
    public void A_removal_is_undone_when_a_later_file_of_the_set_cannot_be_written()
    {
        var credentials = _tree.WriteFile("root/.aws/credentials", "old keys\n", Octal("600"));
        var env = _tree.WriteFile("opt/sensor/.env", "OLD=1\n", Octal("600"));
        _tree.MakeImmutable(env); // root cannot rename over an immutable file: EPERM after the removal

        var error = Assert.Throws<FileWriteException>(() => _transaction.Apply([Absent(credentials), new DesiredFile(env, Bytes("NEW=1\n"), Octal("600"), null, false)]));

        Assert.True(error.RolledBack, error.Message);
        Assert.Equal(("old keys\n", Octal("600")), (Text(credentials), Mode(credentials)));
        Assert.Equal("OLD=1\n", Text(env));
    }

    [Fact]
    public void A_link_planted_at_an_absent_target_is_refused_and_what_it_points_to_survives()
    {
        var victim = _tree.WriteFile("victim", "keep\n", Octal("600"));
        Directory.CreateDirectory(_tree["home/ubuntu/.aws"]);
        var link = _tree["home/ubuntu/.aws/credentials"];
        File.CreateSymbolicLink(link, victim);

        Assert.Throws<UnsafePathException>(() => _transaction.Apply([Absent(link)]));

        Assert.Equal("keep\n", Text(victim));
        Assert.True(File.GetAttributes(link).HasFlag(FileAttributes.ReparsePoint));
    }

    private static DesiredFile Absent(string path) => new(path, [], Octal("600"), null, true) { Absent = true };
}
