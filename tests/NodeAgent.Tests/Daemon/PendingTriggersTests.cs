using NodeAgent.Daemon;

namespace NodeAgent.Tests.Daemon;

public sealed class PendingTriggersTests
{
    [Fact]
    public async Task A_burst_of_triggers_is_one_cycle_that_keeps_every_kind()
    {
        using var queue = new PendingTriggers();
        for (var i = 0; i < 100; i++)
        {
            queue.Post(Triggers.SourcesChanged);
        }

        queue.Post(Triggers.Drift);
        queue.Post(Triggers.Reload);

        Assert.Equal(Triggers.SourcesChanged | Triggers.Drift | Triggers.Reload, await queue.TakeAsync(CancellationToken.None));
        using var nothingElse = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.TakeAsync(nothingElse.Token));
    }

    [Fact]
    public async Task A_trigger_posted_while_a_cycle_runs_is_the_next_cycle()
    {
        using var queue = new PendingTriggers();
        queue.Post(Triggers.Start);
        Assert.Equal(Triggers.Start, await queue.TakeAsync(CancellationToken.None));
        var next = queue.TakeAsync(CancellationToken.None);
        Assert.False(next.IsCompleted);
        queue.Post(Triggers.Probe);
        Assert.Equal(Triggers.Probe, await next.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task The_queue_is_empty_only_when_no_trigger_waits()
    {
        using var queue = new PendingTriggers();
        Assert.True(queue.IsEmpty);
        queue.Post(Triggers.Drift);
        Assert.False(queue.IsEmpty);
        await queue.TakeAsync(CancellationToken.None);
        Assert.True(queue.IsEmpty);
    }
}
