namespace NodeAgent.Daemon;

/// <summary>Why a cycle runs. Several can be pending at once; they are merged into one cycle.</summary>
[Flags]
public enum Triggers
{
    None = 0,
    Start = 1,
    SourcesChanged = 2,
    Reload = 4,
    Drift = 8,
    Probe = 16,
    Retry = 32,
}

/// <summary>
/// The daemon's one queue, of capacity one: every trigger (start, an upload, SIGHUP, the drift and probe timers, a
/// backoff retry) is OR-ed into the one pending cycle, so a burst of events never queues a burst of cycles, and no
/// kind of trigger is lost by the merge. One loop reads it; anything may post to it from any thread.
/// </summary>
public sealed class PendingTriggers : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    private Triggers _pending;

    /// <summary>No trigger is waiting: the loop is about to go idle (a burst of triggers is not worth trimming between).</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _pending == Triggers.None;
            }
        }
    }

    public void Post(Triggers triggers)
    {
        lock (_gate)
        {
            _pending |= triggers;
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
    }

    /// <summary>Waits for at least one trigger and takes every pending one.</summary>
    public async Task<Triggers> TakeAsync(CancellationToken ct)
    {
        while (true)
        {
            await _signal.WaitAsync(ct).ConfigureAwait(false);
            lock (_gate)
            {
                var taken = _pending;
                _pending = Triggers.None;
                if (taken != Triggers.None)
                {
                    return taken;
                }
            }
        }
    }

    public void Dispose() => _signal.Dispose();
}
