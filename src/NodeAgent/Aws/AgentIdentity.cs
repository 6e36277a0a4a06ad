using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace NodeAgent.Aws;

/// <summary>
/// The agent's own AWS identity, for what the agent itself reads and writes (the fleet's SSM parameter, reports in
/// S3): the SDK's default chain, which on EC2 ends at the instance role through IMDSv2. Never the keys the agent
/// distributes: those are what it tests, and a host must not need them to fetch their replacement.
/// </summary>
public static class AgentIdentity
{
    /// <summary>Resolved now; the SDK refreshes role credentials by itself.</summary>
    public static AWSCredentials Credentials() => DefaultAWSCredentialsIdentityResolver.GetCredentials();

    /// <summary>The configured region, else the default chain's (AWS_REGION, AWS_DEFAULT_REGION, ~/.aws/config, the instance's); null when none says.</summary>
    public static RegionEndpoint? Region(string? configured) =>
        !string.IsNullOrWhiteSpace(configured) ? RegionEndpoint.GetBySystemName(configured.Trim()) : FallbackRegionFactory.GetRegionEndpoint();
}
