using Amazon;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

using NodeAgent.Configuration;
using NodeAgent.Sources;

namespace NodeAgent.Aws;

/// <summary>One answer of GetParameter: the value and version, or the problem that kept them from us (never both).</summary>
public sealed record SsmParameterRead(string? Value, long? Version, SourceError? Problem);

/// <summary>
/// Reads the fleet's one SSM parameter with the agent's own identity (<see cref="AgentIdentity"/>: the SDK's default
/// chain, on EC2 the instance role), never with the keys it distributes: a host whose placed key was revoked must
/// still be able to fetch its replacement. Endpoint: sources.ssm.endpoint, then AWS_ENDPOINT_URL_SSM, then
/// AWS_ENDPOINT_URL, then AWS. Every expected failure (no identity, no region, not found, access denied, unreachable,
/// timeout, throttled) is a <see cref="SourceError"/> in the answer, never an exception: the daemon reports it and retries.
/// </summary>
public sealed class SsmParameterReader
{
    private readonly SsmSourceOptions _options;
    private readonly TimeSpan _timeout;

    public SsmParameterReader(SsmSourceOptions options, TimeSpan timeout, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Parameter);
        _options = options;
        _timeout = timeout;
        Name = options.Parameter.Trim();
        Endpoint = AwsEndpoint.Resolve(options.Endpoint, "sources.ssm.endpoint", "AWS_ENDPOINT_URL_SSM", environment ?? Environment.GetEnvironmentVariable);
    }

    public string Name { get; }

    public AwsEndpoint Endpoint { get; }

    /// <summary>
    /// A parameter that only points at a Secrets Manager secret: its Version is always 0, and SSM refuses to read it
    /// without decryption, so its changes are seen in the value alone.
    /// </summary>
    public bool IsSecretsManagerReference => Name.StartsWith(SsmFailure.SecretsManagerPrefix, StringComparison.Ordinal);

    /// <param name="withDecryption">False asks for the version only (a SecureString comes back encrypted, no KMS call).</param>
    public async Task<SsmParameterRead> GetAsync(bool withDecryption, CancellationToken ct)
    {
        AWSCredentials credentials;
        RegionEndpoint? region;
        try
        {
            region = AgentIdentity.Region(_options.Region);
            credentials = AgentIdentity.Credentials();
        }
        catch (AmazonClientException e)
        {
            return Failed(SsmFailure.NoIdentity(Name, e));
        }

        if (region is null)
        {
            return Failed(SsmFailure.NoRegion(Name));
        }

        var call = new SsmCall(Name, region.SystemName, Endpoint.Describe("ssm", region.SystemName), _timeout);
        var config = new AmazonSimpleSystemsManagementConfig();
        AwsClientFactory.Bound(config, Endpoint, region.SystemName, _timeout);
        try
        {
            using var client = new AmazonSimpleSystemsManagementClient(credentials, config);
            var response = await client.GetParameterAsync(new GetParameterRequest { Name = Name, WithDecryption = withDecryption }, ct).ConfigureAwait(false);
            return new SsmParameterRead(response.Parameter?.Value ?? string.Empty, response.Parameter?.Version, null);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or OperationCanceledException
            or TimeoutException or IOException)
        {
            return Failed(SsmFailure.Classify(e, call));
        }
    }

    private static SsmParameterRead Failed(SourceError problem) => new(null, null, problem);
}
