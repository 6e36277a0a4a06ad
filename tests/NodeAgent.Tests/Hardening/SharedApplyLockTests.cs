using NodeAgent.FileSystem;
using NodeAgent.Pipeline;
using NodeAgent.Tests.FileSystem;

namespace NodeAgent.Tests.Hardening;

public sealed class SharedApplyLockTests : IDisposable
{
    private static readonly TimeSpan NoWait = TimeSpan.Zero;

    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task A_verify_shares_the_lock_file_an_apply_uses_and_waits_for_a_running_apply()
    {
        var state = _tree["var/lib/nodeagent"];
        var fs = new SecureFileSystem(_tree.Root);
        using (await ApplyLock.AcquireAsync(state, NoWait, _ => { }, CancellationToken.None, fs))
        {
            await Assert.ThrowsAsync<AnotherApplyException>(() => ApplyLock.AcquireSharedAsync(state, NoWait, _ => { }, CancellationToken.None, fs));
        }

        using var shared = await ApplyLock.AcquireSharedAsync(state, NoWait, _ => { }, CancellationToken.None, fs);
        Assert.NotNull(shared);
    }

    [Fact]
    public async Task A_verify_never_follows_a_symlink_planted_for_the_state_directory()
    {
        // The link's target holds a lock file that someone holds exclusively: following the link, verify would wait on
        // it (and, with a wait of zero, fail as if an apply were running).
        var elsewhere = _tree["elsewhere"];
        Directory.CreateDirectory(elsewhere);
        var foreignLock = Path.Combine(elsewhere, "apply.lock");
        Directory.CreateDirectory(_tree["var/lib"]);
        File.CreateSymbolicLink(_tree["var/lib/nodeagent"], elsewhere);
        using var held = new FileStream(foreignLock, FileMode.Create, FileAccess.ReadWrite, FileShare.None);

        var shared = await ApplyLock.AcquireSharedAsync(_tree["var/lib/nodeagent"], NoWait, _ => { }, CancellationToken.None, new SecureFileSystem(_tree.Root));

        Assert.Null(shared);
    }

    [Fact]
    public async Task A_verify_never_follows_a_symlink_planted_at_the_lock_file()
    {
        var state = _tree["var/lib/nodeagent"];
        Directory.CreateDirectory(state);
        var victim = _tree.WriteFile("victim", "keep", PermissionBits.OwnerReadWrite);
        File.CreateSymbolicLink(Path.Combine(state, "apply.lock"), victim);
        ApplyLock? shared;
        using (new FileStream(victim, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            shared = await ApplyLock.AcquireSharedAsync(state, NoWait, _ => { }, CancellationToken.None, new SecureFileSystem(_tree.Root));
        }

        Assert.Null(shared);
        Assert.Equal("keep", File.ReadAllText(victim));
    }

    [Fact]
    public async Task A_verify_where_nothing_was_applied_creates_no_lock_file()
    {
        var state = _tree["var/lib/nodeagent"];

        var shared = await ApplyLock.AcquireSharedAsync(state, NoWait, _ => { }, CancellationToken.None, new SecureFileSystem(_tree.Root));

        Assert.Null(shared);
        Assert.False(Directory.Exists(state));
    }
}
