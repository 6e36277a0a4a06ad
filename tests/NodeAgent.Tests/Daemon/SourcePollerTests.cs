using Microsoft.Extensions.Time.Testing;

using NodeAgent.Daemon;
using NodeAgent.Sources;

namespace NodeAgent.Tests.Daemon;

/// <summary>
/// The SSM poll on a <see cref="FakeTimeProvider"/>: when it looks (every interval ±20%, never overlapping), and when
/// it tells the loop (only for a revision other than the last read's). The look itself is a stand-in here; the real
/// GetParameter against moto is in the integration tests.
/// </summary>
public sealed class SourcePollerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(300);

    [Fact]
    public void Jitter_stays_within_twenty_percent_and_spreads_across_the_range()
    {
        var random = new Random(7);
        var delays = Enumerable.Range(0, 2000).Select(_ => SourcePoller.Jittered(Interval, random).TotalSeconds).ToList();
        Assert.All(delays, d => Assert.InRange(d, 240, 360));
        // A fleet must not move in step: the delays fill the band instead of clustering.
        Assert.True(delays.Min() < 245 && delays.Max() > 355, $"{delays.Min()}..{delays.Max()}");
        Assert.InRange(delays.Average(), 295, 305);
    }

    [Fact]
    public void Polls_every_interval_with_jitter_and_signals_only_a_new_revision()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var started = clock.GetUtcNow();
        var looks = new List<double>();
        var revision = "version 3";
        string? known = "version 3";
        var changes = 0;
        using var poller = new SourcePoller(Interval, clock, new Random(1), _ =>
        {
            looks.Add((clock.GetUtcNow() - started).TotalSeconds);
            return Task.FromResult(new SourceRevision(revision, null));
        }, () => known, () => changes++, _ => { });
        poller.Start();

        // Ten looks, each 80%..120% of the interval after the one before (one-second steps of the fake clock).
        StepUntil(clock, () => poller.Polls == 10, seconds: 4000);
        var gaps = looks.Zip(looks.Skip(1), (a, b) => b - a).Prepend(looks[0]).ToList();
        Assert.All(gaps, g => Assert.InRange(g, 240, 361));
        Assert.True(gaps.Distinct().Count() > 5, string.Join(", ", gaps));
        // The same version as the last read is no news.
        Assert.Equal(0, changes);

        // A new version is one signal at the next look...
        revision = "version 4";
        StepUntil(clock, () => poller.Polls == 11, seconds: 400);
        Assert.Equal(1, changes);

        // ...and once the loop has read it, seeing it again signals nothing.
        known = "version 4";
        StepUntil(clock, () => poller.Polls == 13, seconds: 800);
        Assert.Equal(1, changes);
    }

    [Fact]
    public void A_failed_look_signals_nothing_is_reported_once_and_a_parameter_that_appears_is_news()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var denied = new SourceError("ssm:/p", null, "access denied", "allow ssm:GetParameter");
        var answers = new Queue<SourceRevision>([
            new(null, denied), new(null, denied), new(null, denied),
            new("version 1", null),
        ]);
        var changes = 0;
        var problems = new List<string>();
        // The last read failed too (the parameter did not exist yet): no revision is known.
        using var poller = new SourcePoller(Interval, clock, new Random(2), _ => Task.FromResult(answers.Dequeue()),
            () => null, () => changes++, problems.Add);
        poller.Start();

        StepUntil(clock, () => poller.Polls == 3, seconds: 1200);
        Assert.Equal(0, changes);
        Assert.Equal([denied.ToString()], problems);

        StepUntil(clock, () => poller.Polls == 4, seconds: 400);
        Assert.Equal(1, changes);
    }

    [Fact]
    public async Task A_slow_look_is_never_overlapped_by_the_next_one_and_dispose_stops_the_polling()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var release = new TaskCompletionSource<SourceRevision>();
        var looks = 0;
        var poller = new SourcePoller(Interval, clock, new Random(3), _ =>
        {
            Interlocked.Increment(ref looks);
            return release.Task;
        }, () => "version 1", () => { }, _ => { });
        poller.Start();
        clock.Advance(TimeSpan.FromSeconds(360));
        await Eventually(() => Volatile.Read(ref looks) == 1);

        // The answer is still out: hours pass without a second look.
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, Volatile.Read(ref looks));
        release.SetResult(new SourceRevision("version 1", null));
        await Eventually(() => poller.Polls == 1);

        poller.Dispose();
        clock.Advance(TimeSpan.FromHours(2));
        await Task.Delay(50);
        Assert.Equal(1, Volatile.Read(ref looks));
    }

    private static void StepUntil(FakeTimeProvider clock, Func<bool> condition, int seconds)
    {
        for (var i = 0; i < seconds && !condition(); i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(condition(), $"not within {seconds} s of the fake clock");
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
