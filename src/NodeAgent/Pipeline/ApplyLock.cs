namespace NodeAgent.Pipeline;

/// <summary>
/// One apply at a time per host (or sandbox root): an operator's `nodeagent apply` and a scheduled one must not
/// interleave their renames, backups and container swaps. An advisory lock on STATE/apply.lock: .NET takes it with
/// flock(LOCK_EX|LOCK_NB) for FileShare.None, and the kernel drops it when the process dies, so a crash never leaves
/// a stale lock behind. Verify takes no lock: it only reads, and its report is replaced atomically.
/// </summary>
public sealed class ApplyLock : IDisposable
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(200);

    private readonly FileStream _handle;

    private ApplyLock(FileStream handle) => _handle = handle;

    public static async Task<ApplyLock> AcquireAsync(string stateDirectory, TimeSpan wait, Action<string> waiting, CancellationToken ct)
    {
        Directory.CreateDirectory(stateDirectory);
        var path = Path.Combine(stateDirectory, "apply.lock");
        if (new FileInfo(path).LinkTarget is not null)
        {
            throw new AnotherApplyException(path, "is a symbolic link", $"remove {path}; NodeAgent recreates it");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(wait);
        var told = false;
        while (true)
        {
            try
            {
                return new ApplyLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (!ct.IsCancellationRequested)
            {
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
    }

    public void Dispose() => _handle.Dispose();
}

/// <summary>The apply lock could not be taken: nothing was written.</summary>
public sealed class AnotherApplyException(string path, string why, string fix) : Exception($"{path} {why} — {fix}")
{
    public string Path { get; } = path;
}
