using Amazon.S3.Model;

using NodeAgent.Aws;
using NodeAgent.Configuration;
using NodeAgent.IntegrationTests.Fixtures;
using NodeAgent.Probes;
using NodeAgent.Reporting;
using NodeAgent.Sources;

namespace NodeAgent.IntegrationTests.Probes;

/// <summary>Runs the real probes the way verify does: through <see cref="ProbeRunner"/> with the secrets to scrub.</summary>
internal static class ProbeHarness
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A factory for the given endpoints that ignores this test process's environment.</summary>
    public static AwsClientFactory Factory(string s3Endpoint, string? stsEndpoint, TimeSpan? timeout = null) =>
        new(new AgentOptions { S3 = new() { Endpoint = s3Endpoint }, Sts = new() { Endpoint = stsEndpoint } },
            timeout ?? DefaultTimeout, _ => null);

    public static string NewHost() => "test-host-" + Guid.NewGuid().ToString("N")[..8];

    public static string PrefixOf(string host) => $"_nodeagent/probes/{host}/";

    public static async Task<IReadOnlyList<ProbeResult>> RunAsync(
        AwsClientFactory clients, AwsCredentials credentials, IEnumerable<BucketAssignment> buckets, string host,
        bool readOnly = false, bool withIdentity = true, string region = MotoServerFixture.Region)
    {
        var set = new CredentialSet(credentials, region, buckets.ToList(), []);
        var probes = AwsProbes.For(set.Identity, set, new AgentOptions(), clients, host, readOnly);
        if (!withIdentity)
        {
            probes = probes.Where(p => p is not IdentityProbe).ToList();
        }

        var runner = new ProbeRunner(credentials.Secrets);
        return await runner.RunAsync(probes, clients.RequestTimeout, CancellationToken.None);
    }

    public static ProbeResult Single(IEnumerable<ProbeResult> results, string targetSuffix) =>
        Assert.Single(results, r => r.Target.EndsWith(targetSuffix, StringComparison.Ordinal));

    /// <summary>No secret value, and not even the full access key id, in any result nor in the rendered report.</summary>
    public static void AssertNoSecrets(IReadOnlyList<ProbeResult> results, AwsCredentials credentials)
    {
        var report = Report.Create(ReportMode.Verify, "test", "host", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1), results);
        var texts = results.SelectMany(r => new[] { r.Probe, r.Target, r.Detail, r.Fix ?? "" })
            .Append(ReportTable.Render(report))
            .Append(ReportJson.Serialize(report))
            .ToList();
        foreach (var secret in credentials.Secrets)
        {
            Assert.DoesNotContain(texts, t => t.Contains(secret.Reveal(), StringComparison.Ordinal));
        }
    }

    /// <summary>The probe objects an unrestricted principal sees under a host's prefix.</summary>
    public static async Task<IReadOnlyList<string>> LeftoverObjectsAsync(MotoServerFixture moto, string bucket, string host)
    {
        using var s3 = Factory(moto.Endpoint, moto.Endpoint).CreateS3Client(new CredentialSource.StaticKeys(moto.Admin), MotoServerFixture.Region);
        // A Prefix with '/' verifies only because the fixture's launcher mends moto's signing bug.
        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = PrefixOf(host) });
        Assert.False(listed.IsTruncated ?? false, "test buckets stay small enough to list in one page");
        return (listed.S3Objects ?? []).Select(o => o.Key).ToList();
    }
}
