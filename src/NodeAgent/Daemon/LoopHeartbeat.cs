namespace NodeAgent.Daemon;

/// <summary>
/// What the watchdog asks before it pings: is the loop waiting for work, or has its current cycle run for less than
/// the watchdog's limit? A cycle stuck longer (a hung call no timeout caught) stops the pings, and systemd restarts
/// the service, which is what WatchdogSec is for.
/// </summary>
public sealed class LoopHeartbeat(TimeProvider clock)
{
    private long _busySinceTicks = -1;

    public void Idle() => Interlocked.Exchange(ref _busySinceTicks, -1);

    public void Busy() => Interlocked.Exchange(ref _busySinceTicks, clock.GetUtcNow().UtcTicks);

    public bool IsAlive(TimeSpan limit)
    {
        var since = Interlocked.Read(ref _busySinceTicks);
        return since < 0 || clock.GetUtcNow().UtcTicks - since < limit.Ticks;
    }
}
