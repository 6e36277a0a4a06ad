using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

using NodeAgent.Daemon;
using NodeAgent.Logging;
using NodeAgent.Pipeline;

namespace NodeAgent.Tests.Daemon;

/// <summary>
/// The loop's timing on a <see cref="FakeTimeProvider"/>: backoff and watchdog cadence are decided by the
/// clock the loop is given, so these tests move time instead of waiting for it. The cycles themselves are real
/// (sandbox files); the process-level behaviour with a real NOTIFY_SOCKET is in the integration tests.
/// </summary>
public sealed class DaemonLoopTimingTests
{
    [Fact]
    public async Task Failed_cycles_are_retried_after_doubling_delays_and_the_watchdog_follows_the_clock()
    {
        using var sandbox = new Sandbox();
        File.WriteAllText(Path.Combine(sandbox.Sources, "expanso-s3-credentials"), "[default]\naws_access_key_id = CHANGEME\n");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var notifier = new RecordingNotifier();
        using var loop = NewLoop(sandbox, driftSeconds: 100, clock, notifier, watchdog: TimeSpan.FromSeconds(10));
        await loop.StartAsync(CancellationToken.None);
        try
        {
            // Start (invalid sources), then the probe cycle queued after READY: both fail.
            await Eventually(() => loop.Cycles == 2, "the start and probe cycles");
            Assert.Equal(1, notifier.Count("READY=1"));
            var pings = notifier.Count("WATCHDOG=1");

            // The start's failure scheduled the first retry, 2 s ± 20%; the probe cycle failing meanwhile leaves it due.
            clock.Advance(TimeSpan.FromSeconds(1.5));
            await Quiet();
            Assert.Equal(2, loop.Cycles);
            clock.Advance(TimeSpan.FromSeconds(1.0));
            await Eventually(() => loop.Cycles == 3, "the retry after about 2 s");

            // The retry failed as well: the next is due after 4 s ± 20%.
            clock.Advance(TimeSpan.FromSeconds(3.1));
            await Quiet();
            Assert.Equal(3, loop.Cycles);
            clock.Advance(TimeSpan.FromSeconds(1.8));
            await Eventually(() => loop.Cycles == 4, "the retry after about 4 s");

            // Then about 8 s, and capped there (max_backoff_seconds: 8).
            clock.Advance(TimeSpan.FromSeconds(6.3));
            await Quiet();
            Assert.Equal(4, loop.Cycles);
            clock.Advance(TimeSpan.FromSeconds(1.8));
            await Eventually(() => loop.Cycles == 5, "the retry after about 8 s");
            clock.Advance(TimeSpan.FromSeconds(8.1));
            await Eventually(() => loop.Cycles == 6, "the capped retry");

            // The watchdog pinged every 5 s (half of 10 s) of the clock's time, and only then.
            Assert.InRange(notifier.Count("WATCHDOG=1") - pings, 4, 5);

            // With good sources the next retry places the files: nothing but the clock started it (settle is 1 s of the same clock).
            sandbox.WriteSources(TestData.KeyId, TestData.SecretKey);
            clock.Advance(TimeSpan.FromSeconds(8.1));
            await Eventually(() => File.Exists(sandbox.Target("/root/.aws/credentials")), "the files placed by the retry");
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }

        Assert.Equal(1, notifier.Count("STOPPING=1"));
    }

    [Fact]
    public async Task A_drift_interval_shorter_than_the_backoff_does_not_keep_a_probe_retry_from_coming_due()
    {
        using var sandbox = new Sandbox();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var loop = NewLoop(sandbox, driftSeconds: 1, clock, new RecordingNotifier(), watchdog: null);
        await loop.StartAsync(CancellationToken.None);
        try
        {
            // The files are placed at start; the probe cycle after READY fails (AWS refuses): a retry is due in 2 s ± 20%.
            await Eventually(() => loop.Cycles == 2 && loop.ProbeCycles == 1, "the start cycle and the failed probe cycle");

            // A drift cycle every second fails too (the probe failure is still on record). None may push the retry on.
            for (var second = 1; second <= 3; second++)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                await Eventually(() => loop.Cycles >= 2 + second, $"the drift cycle at {second} s");
            }

            await Eventually(() => loop.ProbeCycles >= 2, "the probe retry, due at most 2.4 s after the failure");
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>A loop on <paramref name="clock"/> whose AWS endpoints refuse (probes fail), backoff capped at 8 s.</summary>
    private static DaemonLoop NewLoop(Sandbox sandbox, int driftSeconds, FakeTimeProvider clock, RecordingNotifier notifier, TimeSpan? watchdog)
    {
        var config = sandbox.WriteConfig($"""
            daemon:
              settle_seconds: 1
              drift_interval_seconds: {driftSeconds}
              probe_interval_seconds: 86400
              max_backoff_seconds: 8
            containers:
              names: []
            s3:
              endpoint: http://127.0.0.1:9
            sts:
              endpoint: http://127.0.0.1:9
            probes:
              timeout_seconds: 1
            """);
        var start = new DaemonStart(config, sandbox.Root, sandbox.Sources);
        return new DaemonLoop(start, AgentContext.Create(config, sandbox.Root, sandbox.Sources), NullLoggerFactory.Instance, clock,
            new ServiceNotifier(notifier), new SecretRegistry(), watchdog, new Random(3));
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"never: {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>Lets the loop take what the clock posted: nothing may happen in this real-time pause unless time moved.</summary>
    private static Task Quiet() => Task.Delay(400);

    private sealed class RecordingNotifier : ISystemdNotifier
    {
        private readonly List<string> _states = [];

        public bool IsEnabled => true;

        public void Notify(ServiceState state)
        {
            lock (_states)
            {
                _states.Add(state.ToString());
            }
        }

        public int Count(string prefix)
        {
            lock (_states)
            {
                return _states.Count(s => s.StartsWith(prefix, StringComparison.Ordinal));
            }
        }
    }
}
