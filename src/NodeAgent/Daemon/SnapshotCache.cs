using NodeAgent.Sources;

namespace NodeAgent.Daemon;

/// <summary>
/// The daemon's view of a remote source: drift and probe cycles reuse the last read, and only a cycle that may have
/// new sources (start, reload, a retry, the poller seeing a new version) reads again. Without it every drift cycle
/// (60 s) would be a decrypting GetParameter per host, which a fleet of 1,000 hosts turns into 17 calls a second
/// against SSM's shared 40 TPS. Files need no cache: reading them is free.
/// </summary>
public sealed class SnapshotCache(ISourceProvider inner) : ISourceProvider
{
    private SourceSnapshot? _last;
    private volatile bool _stale = true;

    public string Origin => inner.Origin;

    /// <summary>The revision of the last read (null before the first or after a failed one): what the poller compares with.</summary>
    public string? LastRevision => Volatile.Read(ref _last)?.Revision;

    /// <summary>The next read goes to the source.</summary>
    public void Refresh() => _stale = true;

    public async Task<SourceSnapshot> ReadAsync(CancellationToken ct)
    {
        if (!_stale && Volatile.Read(ref _last) is { } last)
        {
            return last;
        }

        var snapshot = await inner.ReadAsync(ct).ConfigureAwait(false);
        Volatile.Write(ref _last, snapshot);
        _stale = false;
        return snapshot;
    }
}
