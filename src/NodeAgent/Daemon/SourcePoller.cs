using NodeAgent.Sources;

namespace NodeAgent.Daemon;

/// <summary>
/// Watches a remote source the only way one can be watched: by asking. Every interval ±20% (so a fleet started by
/// one deployment spreads its calls instead of hitting SSM in step) it takes a cheap look at the source's revision
/// and tells the loop only when that differs from the revision of the last read, so an unchanged parameter costs
/// one undecrypted GetParameter a poll and no cycle. A failed look is reported once per distinct problem and
/// changes nothing: the placed credentials stay, and the next look tries again. Timers run on the injected
/// <see cref="TimeProvider"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Jitter spreads polls across a fleet; nothing about it is secret.")]
public sealed class SourcePoller : IDisposable
{
    private readonly TimeSpan _interval;
    private readonly Random _random;
    private readonly Func<CancellationToken, Task<SourceRevision>> _look;
    private readonly Func<string?> _known;
    private readonly Action _changed;
    private readonly Action<string> _problem;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private string? _lastProblem;
    private bool _disposed;
    private int _polls;

    /// <param name="random">Its own instance: it is used on timer threads, and <see cref="Random"/> is not thread-safe.</param>
    /// <param name="known">The revision of the last read, or null when there is none (then any answer is news).</param>
    public SourcePoller(TimeSpan interval, TimeProvider clock, Random random, Func<CancellationToken, Task<SourceRevision>> look,
        Func<string?> known, Action changed, Action<string> problem)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _interval = interval;
        _random = random;
        _look = look;
        _known = known;
        _changed = changed;
        _problem = problem;
        _timer = clock.CreateTimer(_ => _ = PollAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Looks finished so far, for the tests.</summary>
    public int Polls => Volatile.Read(ref _polls);

    /// <summary>The interval with ±20% jitter: never in step across a fleet, never more than 20% late.</summary>
    public static TimeSpan Jittered(TimeSpan interval, Random random) =>
        TimeSpan.FromTicks((long)(interval.Ticks * (0.8 + (0.4 * random.NextDouble()))));

    public void Start() => ArmNext();

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _stop.Cancel();
        _timer.Dispose();
        _stop.Dispose();
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A bug in one look must not stop the polling; it is reported like a failed look.")]
    private async Task PollAsync()
    {
        try
        {
            var seen = await _look(_stop.Token).ConfigureAwait(false);
            if (seen.Problem is { } problem)
            {
                Report(problem.ToString());
            }
            else
            {
                _lastProblem = null;
                if (!string.Equals(seen.Revision, _known(), StringComparison.Ordinal))
                {
                    _changed();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        catch (ObjectDisposedException) when (_disposed)
        {
            return;
        }
        catch (Exception e)
        {
            Report($"looking for a new version failed: {e.GetType().Name}: {SecretScrubber.Scrub(e.Message)}");
        }

        Interlocked.Increment(ref _polls);
        ArmNext();
    }

    private void Report(string problem)
    {
        if (problem != _lastProblem)
        {
            _lastProblem = problem;
            _problem(problem);
        }
    }

    /// <summary>One-shot, re-armed after each look: a slow answer never overlaps the next look.</summary>
    private void ArmNext()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _timer.Change(Jittered(_interval, _random), Timeout.InfiniteTimeSpan);
            }
        }
    }
}
