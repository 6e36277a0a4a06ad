using Amazon.Runtime;
using Amazon.S3;

using NodeAgent.Aws;
using NodeAgent.Configuration;
using NodeAgent.Probes;
using NodeAgent.Sources;

namespace NodeAgent.IntegrationTests.Probes;

public sealed class AwsClientFactoryTests
{
    private static readonly AwsCredentials SomeonesKeys =
        new(Secret.AccessKeyId("AKIAIOSFODNN7EXAMPLE"), Secret.Of("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), null);

    private static readonly CredentialSource Someone = new CredentialSource.StaticKeys(SomeonesKeys);

    [Fact]
    public void The_configured_endpoint_wins_over_the_service_variable_which_wins_over_AWS_ENDPOINT_URL()
    {
        var env = Env(("AWS_ENDPOINT_URL", "http://generic:1"), ("AWS_ENDPOINT_URL_S3", "http://s3-env:2"), ("AWS_ENDPOINT_URL_STS", "http://sts-env:3"));

        var configured = new AwsClientFactory(Options(s3: "http://config:9"), TimeSpan.FromSeconds(5), env);
        var fromEnv = new AwsClientFactory(Options(), TimeSpan.FromSeconds(5), env);
        var generic = new AwsClientFactory(Options(), TimeSpan.FromSeconds(5), Env(("AWS_ENDPOINT_URL", "http://generic:1")));
        var aws = new AwsClientFactory(Options(), TimeSpan.FromSeconds(5), Env());

        Assert.Equal(new AwsEndpoint("http://config:9", "s3.endpoint"), configured.S3Endpoint);
        Assert.Equal(new AwsEndpoint("http://sts-env:3", "AWS_ENDPOINT_URL_STS"), configured.StsEndpoint);
        Assert.Equal(new AwsEndpoint("http://s3-env:2", "AWS_ENDPOINT_URL_S3"), fromEnv.S3Endpoint);
        Assert.Equal(new AwsEndpoint("http://generic:1", "AWS_ENDPOINT_URL"), generic.S3Endpoint);
        Assert.Equal(new AwsEndpoint("http://generic:1", "AWS_ENDPOINT_URL"), generic.StsEndpoint);
        Assert.Equal(new AwsEndpoint(null, "aws"), aws.S3Endpoint);
        Assert.Equal("https://s3.eu-central-1.amazonaws.com", aws.S3Endpoint.Describe("s3", "eu-central-1"));
    }

    [Fact]
    public async Task Identity_is_skipped_with_the_reason_when_S3_has_a_custom_endpoint_and_STS_has_none()
    {
        var clients = new AwsClientFactory(Options(s3: "http://minio.local:9000"), TimeSpan.FromSeconds(5), Env());

        var result = Assert.Single(await new IdentityProbe(clients, Someone, "us-east-1").RunAsync(CancellationToken.None));

        Assert.Equal(ProbeStatus.Skipped, result.Status);
        Assert.Contains("http://minio.local:9000", result.Detail);
        Assert.Contains("set sts.endpoint", result.Detail);
    }

    [Fact]
    public void Clients_are_bounded_and_speak_plain_S3_to_a_custom_endpoint()
    {
        var clients = new AwsClientFactory(Options(s3: "http://127.0.0.1:9000"), TimeSpan.FromSeconds(3), Env());

        using var s3 = clients.CreateS3Client(Someone, "eu-west-1");
        var config = (AmazonS3Config)s3.Config;

        Assert.Equal(TimeSpan.FromSeconds(3), config.Timeout);
        Assert.Equal(1, config.MaxErrorRetry);
        Assert.True(config.ForcePathStyle);
        Assert.True(config.IgnoreConfiguredEndpointUrls);
        Assert.Equal("eu-west-1", config.AuthenticationRegion);
        Assert.Equal(RequestChecksumCalculation.WHEN_REQUIRED, config.RequestChecksumCalculation);
        Assert.Equal(ResponseChecksumValidation.WHEN_REQUIRED, config.ResponseChecksumValidation);
    }

    [Fact]
    public void Session_credentials_become_SDK_session_credentials()
    {
        var temporary = SomeonesKeys with { SessionToken = Secret.Of("FwoGZXIvYXdzEBYaDHqa0AP1/session/token") };

        var session = Assert.IsType<SessionAWSCredentials>(AwsClientFactory.ToSdkCredentials(new CredentialSource.StaticKeys(temporary)));
        var basic = Assert.IsType<BasicAWSCredentials>(AwsClientFactory.ToSdkCredentials(Someone));

        Assert.Equal(temporary.SessionToken!.Reveal(), session.GetCredentials().Token);
        Assert.Equal(SomeonesKeys.AccessKeyId.Reveal(), basic.GetCredentials().AccessKey);
        Assert.Equal(SomeonesKeys.SecretAccessKey.Reveal(), basic.GetCredentials().SecretKey);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static AgentOptions Options(string? s3 = null, string? sts = null) =>
        new() { S3 = new() { Endpoint = s3 }, Sts = new() { Endpoint = sts } };
}
