using Amazon.S3;
using Amazon.S3.Model;

using NodeAgent.Aws;
using NodeAgent.Configuration;
using NodeAgent.IntegrationTests.Fixtures;
using NodeAgent.Probes;

using static NodeAgent.IntegrationTests.Probes.ProbeHarness;

namespace NodeAgent.IntegrationTests.Imds;

/// <summary>
/// Instance-profile mode end to end, short of EC2: a real role in an authenticating moto_server, assumed through
/// sts:AssumeRole for real temporary (ASIA) keys, handed out by the IMDSv2 stand-in, fetched by the client, and
/// signed with by the existing probes. moto checks those keys and their session token like AWS does.
/// </summary>
[Collection(MotoServerCollection.Name)]
public sealed class InstanceRoleIdentityTests(MotoServerFixture moto)
{
    private static readonly string[] AllActions =
        ["s3:ListBucket", "s3:GetBucketLocation", "s3:PutObject", "s3:GetObject", "s3:DeleteObject"];

    [Fact]
    public async Task The_identity_probe_signs_with_the_role_keys_IMDS_hands_out_and_shows_the_assumed_role()
    {
        var raw = MotoServerFixture.RoleBuckets[0].Name;
        var assumed = await moto.AssumeRoleAsync(AllActions, [raw]);
        Assert.StartsWith("ASIA", assumed.Keys.AccessKeyId.Reveal(), StringComparison.Ordinal);
        using var imds = new ImdsResponder { RoleName = assumed.RoleName };
        imds.HandOut(assumed.Keys, assumed.Expiration);
        var endpoint = ImdsEndpoint.Resolve(new ImdsOptions(), name => name == "AWS_EC2_METADATA_SERVICE_ENDPOINT" ? imds.Url : null);
        using var client = new InstanceMetadataClient(endpoint, DefaultTimeout, TimeProvider.System);

        var lookup = await client.GetRoleAsync(CancellationToken.None);
        var role = Assert.IsType<NodeAgent.Sources.CredentialSource.InstanceRole>(lookup.Role);
        var clients = Factory(moto.Endpoint, moto.Endpoint);
        var results = await new IdentityProbe(clients, role, MotoServerFixture.Region).RunAsync(CancellationToken.None);

        var identity = Assert.Single(results);
        Assert.True(identity.Status == ProbeStatus.Ok, identity.Detail);
        Assert.Contains($"{assumed.RoleArn.Replace(":iam::", ":sts::", StringComparison.Ordinal).Replace(":role/", ":assumed-role/", StringComparison.Ordinal)}/i-0123456789abcdef0", identity.Detail);
        Assert.Contains($"instance role {assumed.RoleName}, key {assumed.Keys.AccessKeyId.Masked}", identity.Detail);
        Assert.Equal(ProbeStatus.Ok, InstanceMetadataRows.For(lookup, DateTimeOffset.UtcNow).Status);
        AssertNoSecrets(results, assumed.Keys);

        // The role's own policy decides S3 for these keys: its bucket lists, a bucket it does not name is denied.
        using var s3 = clients.CreateS3Client(role, MotoServerFixture.Region);
        await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = raw, MaxKeys = 1 });
        var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = MotoServerFixture.RoleBuckets[1].Name, MaxKeys = 1 }));
        Assert.Equal("AccessDenied", denied.ErrorCode);
    }
}
