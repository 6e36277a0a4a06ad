using NodeAgent.FileSystem;
using NodeAgent.Native;

namespace NodeAgent.Pipeline;

/// <summary>
/// One apply at a time per host (or sandbox root): an operator's `nodeagent apply` and a scheduled one must not
/// interleave their renames, backups and container swaps. flock(LOCK_EX|LOCK_NB) on STATE/apply.lock: the kernel
/// drops it when the process dies, so a crash never leaves a stale lock. Only EWOULDBLOCK means "busy"; a read-only
/// or full disk, or missing permissions, are reported as what they are. Verify takes no lock: it only reads, and its
/// report is replaced atomically.
/// </summary>
public sealed class ApplyLock : IDisposable
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(200);

    private readonly FileDescriptor _descriptor;

    private ApplyLock(FileDescriptor descriptor) => _descriptor = descriptor;

    public static async Task<ApplyLock> AcquireAsync(string stateDirectory, TimeSpan wait, Action<string> waiting, CancellationToken ct)
    {
        var path = Path.Combine(stateDirectory, "apply.lock");
        var descriptor = Open(stateDirectory, path);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(wait);
        var told = false;
        try
        {
            while (true)
            {
                if (LibC.flock(descriptor, LibC.LOCK_EX | LibC.LOCK_NB) == 0)
                {
                    return new ApplyLock(descriptor);
                }

                var errno = LibC.LastErrno;
                if (errno != LibC.EWOULDBLOCK && !LibC.Interrupted(errno))
                {
                    throw new FileWriteException(path, $"locking it: {LibC.Describe(errno)}", errno,
                        $"check the file system holding {stateDirectory}", rolledBack: true);
                }

                if (!told)
                {
                    waiting($"another nodeagent apply holds {path}; waiting up to {(int)wait.TotalSeconds} s");
                    told = true;
                }

                try
                {
                    await Task.Delay(RetryEvery, deadline.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new AnotherApplyException(path, $"is still held by another nodeagent apply after {(int)wait.TotalSeconds} s",
                        "let the other run finish (ps -C nodeagent), or pass a longer --wait");
                }
            }
        }
        catch
        {
            descriptor.Dispose();
            throw;
        }
    }

    /// <summary>The lock file is opened without following a link, and created 0600: it holds nothing, but it is ours.</summary>
    private static FileDescriptor Open(string stateDirectory, string path)
    {
        try
        {
            Directory.CreateDirectory(stateDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileWriteException(stateDirectory, $"creating the state directory: {e.Message}", null,
                "run nodeagent as root, or check that the file system is writable", rolledBack: true);
        }

        var descriptor = LibC.open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0x180);
        if (descriptor.IsInvalid)
        {
            var errno = LibC.LastErrno;
            descriptor.Dispose();
            throw new FileWriteException(path, $"opening the apply lock: {LibC.Describe(errno)}", errno, errno switch
            {
                LibC.ELOOP => $"{path} is a symbolic link: remove it, NodeAgent recreates it",
                LibC.EACCES or LibC.EPERM => "run nodeagent as root (sudo)",
                LibC.EROFS => $"{stateDirectory} is on a read-only file system: remount it read-write or set state_directory",
                LibC.ENOSPC or LibC.EDQUOT => $"free space on the file system holding {stateDirectory}",
                _ => $"check {stateDirectory}",
            }, rolledBack: true);
        }

        return descriptor;
    }

    public void Dispose() => _descriptor.Dispose();
}

/// <summary>The apply lock could not be taken: nothing was written.</summary>
public sealed class AnotherApplyException(string path, string why, string fix) : Exception($"{path} {why} — {fix}")
{
    public string Path { get; } = path;
}
