using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

using NodeAgent.IntegrationTests.Fixtures;
using NodeAgent.Probes;
using NodeAgent.Reporting;
using NodeAgent.Sources;

namespace NodeAgent.IntegrationTests.Fleet;

/// <summary>A reports bucket of its own on the shared moto_server (created by the admin), and plain S3 access to it as the admin.</summary>
internal sealed class ReportsBucket : IDisposable
{
    private static int _buckets;

    private ReportsBucket(MotoServerFixture moto, string name)
    {
        Moto = moto;
        Name = name;
        Admin = Client(moto, moto.Admin);
    }

    public MotoServerFixture Moto { get; }

    public string Name { get; }

    public AmazonS3Client Admin { get; }

    public static async Task<ReportsBucket> CreateAsync(MotoServerFixture moto)
    {
        var bucket = new ReportsBucket(moto, $"nodeagent-fleet-reports-{Interlocked.Increment(ref _buckets)}");
        await bucket.Admin.PutBucketAsync(new PutBucketRequest { BucketName = bucket.Name });
        return bucket;
    }

    public static AmazonS3Client Client(MotoServerFixture moto, AwsCredentials keys) => new(
        new BasicAWSCredentials(keys.AccessKeyId.Reveal(), keys.SecretAccessKey.Reveal()),
        new AmazonS3Config { ServiceURL = moto.Endpoint, AuthenticationRegion = MotoServerFixture.Region, ForcePathStyle = true, MaxErrorRetry = 0 });

    /// <summary>A small report as a host writes it: the identity row naming its (masked) key, one bucket row, ok or failed.</summary>
    public static Report Sample(string host, DateTimeOffset at, string keyId, bool failed = false, ReportMode mode = ReportMode.Verify)
    {
        var rows = new List<ProbeResult>
        {
            new("identity", "sts", ProbeStatus.Ok, $"account 123456789012, arn:aws:iam::123456789012:user/sensor (key {Secret.Mask(keyId, 4)})", null, TimeSpan.FromMilliseconds(12)),
            failed
                ? new("s3", "raw:expanso-raw:s3:PutObject", ProbeStatus.Failed, "AccessDenied: PutObject was refused", "grant s3:PutObject on arn:aws:s3:::expanso-raw/*", TimeSpan.FromMilliseconds(30))
                : new("s3", "raw:expanso-raw:s3:PutObject", ProbeStatus.Ok, "put 12 bytes", null, TimeSpan.FromMilliseconds(30)),
        };
        return Report.Create(mode, "0.9.0", host, at, TimeSpan.FromMilliseconds(50), rows);
    }

    public async Task<string?> ReadAsync(string key)
    {
        try
        {
            using var response = await Admin.GetObjectAsync(Name, key);
            using var reader = new StreamReader(response.ResponseStream);
            return await reader.ReadToEndAsync();
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey")
        {
            return null;
        }
    }

    public void Dispose() => Admin.Dispose();
}
