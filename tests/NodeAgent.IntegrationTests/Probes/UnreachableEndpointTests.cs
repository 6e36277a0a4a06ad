using NodeAgent.IntegrationTests.Fixtures;
using NodeAgent.Probes;
using NodeAgent.Sources;

using static NodeAgent.IntegrationTests.Probes.ProbeHarness;

namespace NodeAgent.IntegrationTests.Probes;

/// <summary>Endpoints that refuse or never answer: the probes must fail with the reason, never hang.</summary>
public sealed class UnreachableEndpointTests
{
    private static readonly AwsCredentials Someone =
        new(Secret.AccessKeyId("AKIAIOSFODNN7EXAMPLE"), Secret.Of("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), null);

    private static readonly BucketAssignment Raw = new("raw", "expanso-raw-test");

    [Fact]
    public async Task A_closed_port_fails_identity_and_bucket_as_cannot_connect_rather_than_waiting_for_the_timeout()
    {
        var closed = $"http://127.0.0.1:{MotoServerFixture.FreePort()}";

        var results = await RunAsync(Factory(closed, closed, TimeSpan.FromSeconds(5)), Someone, [Raw], NewHost());

        var identity = Single(results, "sts");
        Assert.Equal(ProbeStatus.Failed, identity.Status);
        Assert.StartsWith($"cannot connect to {closed}", identity.Detail);
        var list = Single(results, "s3:ListBucket");
        Assert.Equal(ProbeStatus.Failed, list.Status);
        Assert.StartsWith($"cannot connect to {closed}", list.Detail);
        Assert.Contains("reachable from this host", list.Fix);
        Assert.Equal(4, results.Count(r => r.Status == ProbeStatus.Skipped));
        AssertNoSecrets(results, Someone);
    }

    [Fact]
    public async Task A_silent_endpoint_fails_as_timed_out_within_the_probe_timeout()
    {
        using var silent = new SilentEndpoint();

        var results = await RunAsync(Factory(silent.Url, silent.Url, TimeSpan.FromSeconds(1)), Someone, [Raw], NewHost());

        var identity = Single(results, "sts");
        Assert.Equal(ProbeStatus.Failed, identity.Status);
        Assert.Contains("no answer", identity.Detail);
        Assert.Contains("within 1 s", identity.Detail);
        var list = Single(results, "s3:ListBucket");
        Assert.Equal(ProbeStatus.Failed, list.Status);
        Assert.Equal($"no answer from {silent.Url} within 1 s", list.Detail);
        Assert.NotNull(list.Fix);
        Assert.All(results.Where(r => r.Target.StartsWith("raw:", StringComparison.Ordinal) && r != list),
            r => Assert.Equal(ProbeStatus.Skipped, r.Status));
        AssertNoSecrets(results, Someone);
    }
}
