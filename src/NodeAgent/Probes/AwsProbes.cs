using NodeAgent.Aws;
using NodeAgent.Configuration;
using NodeAgent.Sources;

namespace NodeAgent.Probes;

/// <summary>The AWS probes of one credential set: identity, then one bucket probe per bucket role.</summary>
public static class AwsProbes
{
    public static IReadOnlyList<IProbe> For(
        CredentialSet set, AgentOptions options, AwsClientFactory clients, string hostname, bool readOnly)
    {
        var probes = new List<IProbe> { new IdentityProbe(clients, set.Credentials, set.Region) };
        probes.AddRange(set.Buckets.Select(bucket =>
            new BucketAccessProbe(clients, set.Credentials, set.Region, bucket, options.Probes, hostname, readOnly)));
        return probes;
    }
}
