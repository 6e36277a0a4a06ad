using NodeAgent.FileSystem;
using NodeAgent.Tests.FileSystem;

using static NodeAgent.Tests.FileSystem.OnDisk;

namespace NodeAgent.Tests.Hardening;

/// <summary>
/// Issue 9, break 1: the user renames a root-owned directory of their home (a `.cache` left by `sudo pip`) to .aws;
/// the repair of ~/.aws must not hand it over.
/// </summary>
public sealed class HomeAwsTakeoverTests : IDisposable
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static readonly string[] ManagedNames = ["credentials", "config"];
    private readonly TempTree _tree = new();
    private readonly SecureFileSystem _fs;
    private readonly FileSetTransaction _transaction;

    public HomeAwsTakeoverTests()
    {
        _fs = new SecureFileSystem(_tree.Root);
        _transaction = new FileSetTransaction(_fs, _tree["var/lib/nodeagent/previous"]);
    }

    public void Dispose() => _tree.Dispose();

    [RootFact]
    public void A_root_owned_directory_renamed_to_home_aws_is_not_handed_to_the_user()
    {
        var (user, aws) = HomeWithRootOwnedAws();
        var loot = _tree.WriteFile("home/nodeagent-test/.aws/wheel-cache.tar", "root's", Octal("600"));
        Directory.CreateDirectory(Path.Combine(aws, "http"));
        var credentials = Path.Combine(aws, "credentials");
        var desired = new DesiredFile(credentials, Bytes($"[default]\naws_secret_access_key = {Secret}\n"), Octal("600"), user.Owner, PrivateParent: true);

        var planned = Assert.Throws<UnsafePathException>(() => _fs.Inspect(credentials, user.Owner, privateParent: true));
        var applied = Assert.Throws<UnsafePathException>(() => _transaction.Apply([desired]));

        foreach (var refusal in new[] { planned, applied })
        {
            Assert.Equal(aws, refusal.Path);
            Assert.Contains("http, wheel-cache.tar", refusal.Why, StringComparison.Ordinal);
            Assert.Contains($"chown -R {user.Uid}:{user.Gid} {aws}", refusal.Fix, StringComparison.Ordinal);
        }

        var directory = Stat(aws);
        Assert.Equal((0u, Octal("755")), (directory.Uid, directory.Permissions));
        Assert.Equal(0u, Stat(loot).Uid);
        Assert.False(File.Exists(credentials));
        Assert.Empty(_tree.TempFiles());
    }

    [RootFact]
    public void A_legacy_root_owned_home_aws_holding_only_credentials_and_config_is_taken_over()
    {
        var (user, aws) = HomeWithRootOwnedAws();
        _tree.WriteFile("home/nodeagent-test/.aws/credentials", "[default]\nold\n", Octal("644"));
        _tree.WriteFile("home/nodeagent-test/.aws/config", "[default]\n", Octal("644"));
        var files = ManagedNames
            .Select(name => new DesiredFile(Path.Combine(aws, name), Bytes($"[default]\n{name}\n"), Octal("600"), user.Owner, PrivateParent: true))
            .ToList();

        Assert.Equal(files.Select(f => f.Path), _transaction.Apply(files));

        var directory = Stat(aws);
        Assert.Equal((user.Uid, Octal("700")), (directory.Uid, directory.Permissions));
        Assert.All(files, f => Assert.Equal(user.Uid, Stat(f.Path).Uid));
    }

    [RootFact]
    public void An_empty_root_owned_home_aws_is_taken_over()
    {
        var (user, aws) = HomeWithRootOwnedAws();
        var credentials = Path.Combine(aws, "credentials");

        _transaction.Apply([new DesiredFile(credentials, Bytes("[default]\n"), Octal("600"), user.Owner, PrivateParent: true)]);

        Assert.Equal(user.Uid, Stat(aws).Uid);
    }

    private (UserAccount User, string Aws) HomeWithRootOwnedAws()
    {
        var user = TestUser.Ensure();
        var home = _tree["home/nodeagent-test"];
        Directory.CreateDirectory(home);
        TempTree.Run("chown", $"{user.Uid}:{user.Gid}", home);
        var aws = Path.Combine(home, ".aws");
        Directory.CreateDirectory(aws);
        File.SetUnixFileMode(aws, Octal("755").ToUnixFileMode()); // root-owned, as `sudo` leaves it
        return (user, aws);
    }
}
