using NodeAgent.Probes;
using NodeAgent.Sources;

namespace NodeAgent.IntegrationTests.Probes;

public sealed class ProbeRunnerTests
{
    private static readonly Secret SecretKey = Secret.Of("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

    [Fact]
    public async Task A_probe_that_throws_is_reported_failed_with_its_message_and_the_secret_masked()
    {
        var throwing = new DelegateProbe("bucket raw", _ => throw new InvalidOperationException($"boom with {SecretKey.Reveal()}"));
        var fine = new DelegateProbe("identity", _ => Task.FromResult<IReadOnlyList<ProbeResult>>(
            [new ProbeResult("identity", "sts", ProbeStatus.Ok, "fine", null, TimeSpan.Zero)]));

        var results = await new ProbeRunner([SecretKey]).RunAsync([throwing, fine], TimeSpan.FromSeconds(5), CancellationToken.None);

        var failed = Assert.Single(results, r => r.Probe == "bucket");
        Assert.Equal("raw", failed.Target);
        Assert.Equal(ProbeStatus.Failed, failed.Status);
        Assert.Contains("InvalidOperationException: boom with", failed.Detail);
        Assert.Contains(SecretKey.Masked, failed.Detail);
        Assert.DoesNotContain(SecretKey.Reveal(), failed.Detail);
        Assert.Equal(ProbeStatus.Ok, Assert.Single(results, r => r.Probe == "identity").Status);
    }

    [Fact]
    public async Task A_probe_that_ignores_cancellation_is_reported_as_not_answering_instead_of_hanging_the_run()
    {
        var never = new TaskCompletionSource<IReadOnlyList<ProbeResult>>();
        var hanging = new DelegateProbe("bucket raw", _ => never.Task);

        var results = await new ProbeRunner().RunAsync([hanging], TimeSpan.FromMilliseconds(200), CancellationToken.None);

        var failed = Assert.Single(results);
        Assert.Equal(ProbeStatus.Failed, failed.Status);
        Assert.Equal("no answer within 0.2 s", failed.Detail);
        Assert.NotNull(failed.Fix);
    }

    [Fact]
    public async Task Probes_run_in_parallel()
    {
        // Each probe finishes only once both have started: run one after the other, the first would time out.
        var started = 0;
        var both = new TaskCompletionSource();
        async Task<IReadOnlyList<ProbeResult>> Meet(string name, CancellationToken ct)
        {
            if (Interlocked.Increment(ref started) == 2)
            {
                both.SetResult();
            }

            await both.Task.WaitAsync(ct);
            return [new ProbeResult(name, name, ProbeStatus.Ok, "met", null, TimeSpan.Zero)];
        }

        var results = await new ProbeRunner().RunAsync(
            [new DelegateProbe("a", ct => Meet("a", ct)), new DelegateProbe("b", ct => Meet("b", ct))],
            TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.All(results, r => Assert.Equal(ProbeStatus.Ok, r.Status));
        Assert.Equal(2, results.Count);
    }

    [Fact]
    public async Task Details_and_fixes_a_probe_returns_are_scrubbed_of_the_secrets()
    {
        var leaky = new DelegateProbe("identity", _ => Task.FromResult<IReadOnlyList<ProbeResult>>(
            [new ProbeResult("identity", "sts", ProbeStatus.Failed, $"server echoed {SecretKey.Reveal()}", $"fix {SecretKey.Reveal()}", TimeSpan.Zero)]));

        var result = Assert.Single(await new ProbeRunner([SecretKey]).RunAsync([leaky], TimeSpan.FromSeconds(5), CancellationToken.None));

        Assert.Equal($"server echoed {SecretKey.Masked}", result.Detail);
        Assert.Equal($"fix {SecretKey.Masked}", result.Fix);
    }

    private sealed class DelegateProbe(string name, Func<CancellationToken, Task<IReadOnlyList<ProbeResult>>> run) : IProbe
    {
        public string Name => name;

        public Task<IReadOnlyList<ProbeResult>> RunAsync(CancellationToken ct) => run(ct);
    }
}
