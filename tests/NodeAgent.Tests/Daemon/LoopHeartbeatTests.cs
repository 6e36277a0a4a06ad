using Microsoft.Extensions.Time.Testing;

using NodeAgent.Daemon;

namespace NodeAgent.Tests.Daemon;

public sealed class LoopHeartbeatTests
{
    [Fact]
    public void An_idle_loop_is_alive_however_long_it_waits()
    {
        var clock = new FakeTimeProvider();
        var heartbeat = new LoopHeartbeat(clock);
        heartbeat.Idle();
        clock.Advance(TimeSpan.FromHours(5));
        Assert.True(heartbeat.IsAlive(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_cycle_stuck_past_the_watchdog_limit_stops_the_pings_until_it_ends()
    {
        var clock = new FakeTimeProvider();
        var heartbeat = new LoopHeartbeat(clock);
        var limit = TimeSpan.FromSeconds(30);
        heartbeat.Busy();
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.True(heartbeat.IsAlive(limit));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(heartbeat.IsAlive(limit));
        heartbeat.Idle();
        Assert.True(heartbeat.IsAlive(limit));
    }
}
