using NodeAgent.Aws;
using NodeAgent.Configuration;
using NodeAgent.Sources;

namespace NodeAgent.Probes;

/// <summary>
/// The AWS probes of one credential set, acting as <paramref name="identity"/> (the set's own, or what is placed):
/// identity, then one bucket probe per bucket role.
/// </summary>
public static class AwsProbes
{
    public static IReadOnlyList<IProbe> For(
        CredentialSource identity, CredentialSet set, AgentOptions options, AwsClientFactory clients, string hostname, bool readOnly)
    {
        var probes = new List<IProbe> { new IdentityProbe(clients, identity, set.Region) };
        probes.AddRange(set.Buckets.Select(bucket =>
            new BucketAccessProbe(clients, identity, set.Region, bucket, options.Probes, hostname, readOnly)));
        return probes;
    }
}
