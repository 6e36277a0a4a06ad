namespace NodeAgent.Daemon;

/// <summary>
/// Retry delays after failed cycles: doubling from <paramref name="initial"/>, capped at <paramref name="maximum"/>,
/// each with ±20% jitter so a fleet that lost AWS at the same moment does not come back at the same moment. Reset
/// by the first good cycle.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Jitter spreads retries across a fleet; nothing about it is secret.")]
public sealed class Backoff(TimeSpan initial, TimeSpan maximum, Random random)
{
    private int _failures;

    public int Failures => _failures;

    public TimeSpan Next()
    {
        var doubled = initial.Ticks * Math.Pow(2, Math.Min(_failures, 30));
        var delay = Math.Min(doubled, maximum.Ticks);
        _failures++;
        var jittered = delay * (0.8 + (0.4 * random.NextDouble()));
        return TimeSpan.FromTicks((long)Math.Clamp(jittered, initial.Ticks * 0.8, maximum.Ticks));
    }

    public void Reset() => _failures = 0;
}
