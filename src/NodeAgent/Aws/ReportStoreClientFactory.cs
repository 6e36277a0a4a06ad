using Amazon;
using Amazon.Runtime;
using Amazon.S3;

using NodeAgent.Reporting;

namespace NodeAgent.Aws;

/// <summary>
/// The S3 client for the fleet's reports, signed with the agent's own identity (<see cref="AgentIdentity"/>) unless
/// credentials are given (tests, `fleet` run elsewhere): never with the keys the agent distributes.
/// Endpoint: reporting.s3.endpoint, then AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, then AWS; s3.endpoint is the
/// probes' store and is deliberately not read. Bounded like every client (<see cref="AwsClientFactory"/>).
/// </summary>
public sealed class ReportStoreClientFactory(string? region, string? endpoint, TimeSpan requestTimeout, Func<string, string?>? environment = null)
{
    private static readonly string[] EndpointVariables = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"];

    private readonly Func<string, string?> _environment = environment ?? Environment.GetEnvironmentVariable;

    /// <summary>The custom endpoint in use, or null for AWS.</summary>
    public string? Endpoint => !string.IsNullOrWhiteSpace(endpoint) ? endpoint.Trim()
        : EndpointVariables.Select(_environment).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();

    /// <exception cref="ReportStoreException">no region is configured anywhere, or no credentials resolve.</exception>
    public AmazonS3Client Create(AWSCredentials? credentials, string destination)
    {
        var resolved = Region(destination);
        var config = new AmazonS3Config
        {
            IgnoreConfiguredEndpointUrls = true,
            Timeout = requestTimeout,
            ConnectTimeout = requestTimeout,
            MaxErrorRetry = AwsClientFactory.MaxErrorRetry,

            // S3-compatible stores mishandle the SDK's default flexible checksums (and the trailers they need).
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (Endpoint is { } url)
        {
            config.ServiceURL = url;
            config.AuthenticationRegion = resolved.SystemName;
            config.ForcePathStyle = true;
        }
        else
        {
            config.RegionEndpoint = resolved;
        }

        return new AmazonS3Client(credentials ?? OwnCredentials(destination), config);
    }

    private static AWSCredentials OwnCredentials(string destination)
    {
        try
        {
            return AgentIdentity.Credentials();
        }
        catch (AmazonClientException e)
        {
            throw new ReportStoreException(destination, "the agent has no AWS identity of its own (the SDK's default chain found no credentials)",
                "attach an instance profile to the instance, or give the agent's own environment AWS_PROFILE/AWS_ACCESS_KEY_ID (systemctl edit nodeagent)", e);
        }
    }

    private RegionEndpoint Region(string destination)
    {
        try
        {
            return AgentIdentity.Region(region) ?? throw new ReportStoreException(destination, "no region for the reports bucket",
                "set reporting.s3.region in nodeagent.yaml (or AWS_REGION in the agent's environment)");
        }
        catch (AmazonClientException e)
        {
            throw new ReportStoreException(destination, "no region for the reports bucket",
                "set reporting.s3.region in nodeagent.yaml (or AWS_REGION in the agent's environment)", e);
        }
    }
}
