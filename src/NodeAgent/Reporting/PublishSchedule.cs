namespace NodeAgent.Reporting;

/// <summary>
/// When the daemon sends its report to S3: when it differs from the last one sent (<see cref="ReportFingerprint"/>),
/// and at least every heartbeat even when nothing changed, so a host that went silent shows as stale in `fleet`.
/// After a failed send the next attempt waits a backoff (10 s doubling, capped at the heartbeat), so an unreachable
/// store is not hammered by every drift cycle. On the TimeProvider, so tests move time by hand.
/// </summary>
public sealed class PublishSchedule(TimeProvider clock, TimeSpan heartbeat)
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(10);

    private string? _lastFingerprint;
    private DateTimeOffset _lastPublished;
    private DateTimeOffset? _retryAt;
    private int _failures;

    public bool IsDue(Report report)
    {
        var now = clock.GetUtcNow();
        if (_retryAt is { } at && now < at)
        {
            return false;
        }

        return _lastFingerprint != ReportFingerprint.Of(report) || now - _lastPublished >= heartbeat;
    }

    public void Published(Report report)
    {
        _lastFingerprint = ReportFingerprint.Of(report);
        _lastPublished = clock.GetUtcNow();
        _retryAt = null;
        _failures = 0;
    }

    public void Failed()
    {
        _failures++;
        var delay = TimeSpan.FromTicks(Math.Min(FirstRetry.Ticks * (1L << Math.Min(_failures - 1, 20)), Math.Max(heartbeat.Ticks, FirstRetry.Ticks)));
        _retryAt = clock.GetUtcNow() + delay;
    }
}
