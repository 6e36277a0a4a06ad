namespace NodeAgent.Daemon;

/// <summary>
/// Tells the loop that the sources changed, once per burst. inotify through <see cref="FileSystemWatcher"/>, on the
/// directory and never on the files: deployers replace files by rename (scp to a temp name, rsync's .NAME.XXXXXX),
/// which a watch on the file would lose. The directory may not exist yet when cloud-init starts the agent, or be
/// removed and made again; a watch on a deleted directory goes silent without an error, so its parent is watched
/// too, and while it is missing the nearest existing ancestor is, for the next path component. Every relevant event
/// re-arms the watches and restarts the settle timer; only when the uploads have been quiet for the settle time is
/// the loop told, and the loop then re-reads everything.
/// </summary>
public sealed class SourceWatcher : IDisposable
{
    private readonly string _directory;
    private readonly TimeSpan _settle;
    private readonly Action _changed;
    private readonly Action<string> _problem;
    private readonly ITimer _settleTimer;
    private readonly Lock _gate = new();
    private FileSystemWatcher? _inside;
    private FileSystemWatcher? _above;
    private string? _aboveFor;
    private bool _disposed;

    public SourceWatcher(string directory, TimeSpan settle, TimeProvider clock, Action changed, Action<string> problem)
    {
        _directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        _settle = settle;
        _changed = changed;
        _problem = problem;
        _settleTimer = clock.CreateTimer(_ => _changed(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The directory watched for the next component while the sources directory is missing (or its parent).</summary>
    public string? WatchingAbove => _aboveFor;

    public bool WatchingInside => _inside is not null;

    public void Start() => Arm(rebuildInside: true);

    /// <summary>Catches up after a cycle: a directory that appeared without an event we saw is watched from now on.</summary>
    public void Rearm() => Arm(rebuildInside: false);

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _inside?.Dispose();
            _above?.Dispose();
        }

        _settleTimer.Dispose();
    }

    private static string? NearestExistingAncestor(string? path)
    {
        for (var p = path; p is not null; p = Path.GetDirectoryName(p))
        {
            if (Directory.Exists(p))
            {
                return p;
            }
        }

        return null;
    }

    private void Arm(bool rebuildInside)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                // mkdir -p can create the next components between our look and the watch: look again until what
                // is watched matches what exists, so no level is left unwatched.
                for (var attempt = 0; attempt < 8; attempt++)
                {
                    var exists = Directory.Exists(_directory);
                    if ((!exists && _inside is not null) || (exists && (_inside is null || rebuildInside)))
                    {
                        _inside?.Dispose();
                        _inside = exists ? Watch(_directory, OnInside) : null;
                        rebuildInside = false;
                    }

                    var above = NearestExistingAncestor(exists ? Path.GetDirectoryName(_directory) : _directory);
                    if (above is null || above == _aboveFor)
                    {
                        if (Directory.Exists(_directory) == exists)
                        {
                            break;
                        }

                        continue;
                    }

                    _above?.Dispose();
                    _above = Watch(above, OnAbove);
                    _aboveFor = above;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // Out of inotify watches, or a directory that vanished between the check and the watch: the drift
                // timer still re-reads the sources, so this is a warning and the next event or cycle re-arms.
                _problem($"cannot watch {_directory}: {e.Message}; the sources are still re-read every drift interval");
            }
        }
    }

    private FileSystemWatcher Watch(string path, FileSystemEventHandler handler)
    {
        var watcher = new FileSystemWatcher(path)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size
                | NotifyFilters.Attributes | NotifyFilters.CreationTime,
        };
        watcher.Created += handler;
        watcher.Changed += handler;
        watcher.Deleted += handler;
        watcher.Renamed += (sender, e) => handler(sender, e);
        watcher.Error += (_, e) =>
        {
            _problem($"watching {path} failed: {e.GetException().Message}; re-arming");
            Arm(rebuildInside: true);
            Settle();
        };
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private void OnInside(object sender, FileSystemEventArgs e) => Settle();

    /// <summary>Only the component on the way to the sources directory matters up here; a busy /opt must not wake the agent.</summary>
    private void OnAbove(object sender, FileSystemEventArgs e)
    {
        var next = NextComponent();
        if (next is null || (e.Name != next && (e as RenamedEventArgs)?.OldName != next))
        {
            return;
        }

        // The directory (or one on its way) appeared, went, or was replaced by a rename: the old watch is dead.
        Arm(rebuildInside: true);
        Settle();
    }

    private string? NextComponent()
    {
        var above = _aboveFor;
        if (above is null || !_directory.StartsWith(above, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = _directory[above.Length..].TrimStart('/');
        return rest.Split('/', 2)[0];
    }

    private void Settle() => _settleTimer.Change(_settle, Timeout.InfiniteTimeSpan);
}
