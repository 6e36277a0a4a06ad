using NodeAgent.Daemon;

namespace NodeAgent.Tests.Daemon;

public sealed class BackoffTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void Delays_double_from_the_first_up_to_the_cap_with_jitter_of_at_most_a_fifth()
    {
        var backoff = new Backoff(2 * Second, 60 * Second, new Random(7));
        var expected = new[] { 2, 4, 8, 16, 32, 60, 60, 60 };
        foreach (var seconds in expected)
        {
            var delay = backoff.Next();
            Assert.InRange(delay.TotalSeconds, seconds * 0.8, Math.Min(seconds * 1.2, 60));
        }

        Assert.Equal(expected.Length, backoff.Failures);
    }

    [Fact]
    public void Jitter_spreads_hosts_that_failed_together()
    {
        var firstDelays = Enumerable.Range(0, 50).Select(seed => new Backoff(10 * Second, 300 * Second, new Random(seed)).Next()).ToList();
        Assert.True(firstDelays.Distinct().Count() > 40);
        Assert.All(firstDelays, d => Assert.InRange(d.TotalSeconds, 8, 12));
    }

    [Fact]
    public void A_good_cycle_resets_it()
    {
        var backoff = new Backoff(2 * Second, 60 * Second, new Random(1));
        for (var i = 0; i < 6; i++)
        {
            backoff.Next();
        }

        backoff.Reset();
        Assert.Equal(0, backoff.Failures);
        Assert.InRange(backoff.Next().TotalSeconds, 1.6, 2.4);
    }
}
