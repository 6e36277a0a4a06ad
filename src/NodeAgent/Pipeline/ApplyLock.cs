using System.Diagnostics.CodeAnalysis;

using NodeAgent.Failures;
using NodeAgent.FileSystem;
using NodeAgent.Native;

namespace NodeAgent.Pipeline;

/// <summary>
/// One apply at a time per host (or sandbox root): an operator's `nodeagent apply` and a scheduled one must not
/// interleave their renames, backups and container swaps. flock(LOCK_EX|LOCK_NB) on STATE/apply.lock: the kernel
/// drops it when the process dies, so a crash never leaves a stale lock. Only EWOULDBLOCK means "busy"; a read-only
/// or full disk, or missing permissions, are reported as what they are. Verify takes the lock shared
/// (<see cref="AcquireSharedAsync"/>): many verifies run at once, but none judges a host in the middle of a container
/// swap or a half-written set.
/// </summary>
public sealed class ApplyLock : IDisposable
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(200);

    private readonly FileDescriptor _descriptor;

    private ApplyLock(FileDescriptor descriptor) => _descriptor = descriptor;

    /// <param name="fileSystem">The walk the lock file is opened through (the run's root); "/" when null or when the
    /// state directory is outside it.</param>
    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The descriptor is handed to the lock, which owns it and disposes it on every failure path.")]
    public static Task<ApplyLock> AcquireAsync(string stateDirectory, TimeSpan wait, Action<string> waiting, CancellationToken ct,
        SecureFileSystem? fileSystem = null)
    {
        var path = Path.Combine(stateDirectory, "apply.lock");
        var walk = fileSystem is not null && fileSystem.Contains(path) ? fileSystem : new SecureFileSystem("/");
        return AcquireAsync(stateDirectory, Open(walk, stateDirectory, path), LibC.LOCK_EX, wait, waiting, ct);
    }

    /// <summary>
    /// The shared lock verify holds while it looks, opened read-only through the same no-follow walk as the exclusive
    /// one and never created. Null when there is no lock file to share (nothing was ever applied here), this user may
    /// not open it (a non-root verify), or a link or unsafe directory is on the way: an apply refuses that path too, so
    /// no apply can hold a lock there, and verify goes on without it rather than fail for, or wait on, a file a link
    /// points at.
    /// </summary>
    /// <param name="fileSystem">As for <see cref="AcquireAsync(string, TimeSpan, Action{string}, CancellationToken, SecureFileSystem?)"/>.</param>
    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The descriptor is handed to the lock, which owns it and disposes it on every failure path.")]
    public static async Task<ApplyLock?> AcquireSharedAsync(string stateDirectory, TimeSpan wait, Action<string> waiting, CancellationToken ct,
        SecureFileSystem? fileSystem = null)
    {
        var path = Path.Combine(stateDirectory, "apply.lock");
        var walk = fileSystem is not null && fileSystem.Contains(path) ? fileSystem : new SecureFileSystem("/");
        FileDescriptor? descriptor;
        try
        {
            descriptor = walk.OpenExisting(path);
        }
        catch (Exception e) when (e is UnsafePathException or FileWriteException)
        {
            return null;
        }

        return descriptor is null ? null : await AcquireAsync(stateDirectory, descriptor, LibC.LOCK_SH, wait, waiting, ct).ConfigureAwait(false);
    }

    public void Dispose() => _descriptor.Dispose();

    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The descriptor is owned by the returned lock, and disposed by the catch on every other path.")]
    private static async Task<ApplyLock> AcquireAsync(
        string stateDirectory, FileDescriptor descriptor, int mode, TimeSpan wait, Action<string> waiting, CancellationToken ct)
    {
        var path = Path.Combine(stateDirectory, "apply.lock");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(wait);
        var told = false;
        try
        {
            while (true)
            {
                if (LibC.flock(descriptor, mode | LibC.LOCK_NB) == 0)
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

    /// <summary>
    /// The lock file is opened through the no-follow walk, and created 0600: it holds nothing, but it is ours, and a
    /// link planted at the state directory (or any directory on the way) must not make root create files elsewhere.
    /// </summary>
    private static FileDescriptor Open(SecureFileSystem walk, string stateDirectory, string path)
    {
        try
        {
            return walk.OpenOrCreate(path, PermissionBits.OwnerReadWrite);
        }
        catch (FileWriteException e) when (e.Errno is { } errno)
        {
            throw new FileWriteException(path, $"opening the apply lock: {LibC.Describe(errno)}", errno, errno switch
            {
                LibC.EACCES or LibC.EPERM => "run nodeagent as root (sudo)",
                LibC.EROFS => $"{stateDirectory} is on a read-only file system: remount it read-write or set state_directory",
                LibC.ENOSPC or LibC.EDQUOT => $"free space on the file system holding {stateDirectory}",
                _ => $"check {stateDirectory}",
            }, rolledBack: true);
        }
    }
}

/// <summary>The apply lock could not be taken: nothing was written.</summary>
public sealed class AnotherApplyException(string path, string why, string fix) : AgentException($"{path} {why} — {fix}")
{
    public string Path { get; } = path;

    public override int ExitCode => Cli.ExitCodes.Busy;

    public override string Phase => "lock";

    public override IReadOnlyList<AgentProblem> Problems => [new AgentProblem(Path, why, fix)];

    public override string? Closing(bool writes) => "nodeagent: another apply is running; nothing was written.";
}
