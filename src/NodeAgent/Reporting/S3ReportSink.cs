using System.Net;

using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

using NodeAgent.Aws;
using NodeAgent.Configuration;
using NodeAgent.Probes;
using NodeAgent.Sources;

namespace NodeAgent.Reporting;

/// <summary>
/// Sends every report to &lt;prefix&gt;&lt;host-id&gt;.json for `nodeagent fleet`, with the agent's own identity. apply
/// and verify always send; a daemon cycle sends when its <see cref="PublishSchedule"/> says so (changed, or the
/// heartbeat). The report is the last-report.json schema, which holds no secret. Every failure is a
/// <see cref="ReportStoreException"/>, which the Reconciler turns into a warning.
/// </summary>
public sealed class S3ReportSink : IReportSink
{
    private const string RefusalFix = "set reporting.s3.uri to a bucket of its own (e.g. s3://acme-fleet-reports/nodeagent/), never one of the four data buckets";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly S3ReportLocation _location;
    private readonly ReportStoreClientFactory _clients;
    private readonly ImdsOptions _imds;
    private readonly TimeProvider _clock;
    private readonly AWSCredentials? _credentials;
    private readonly PublishSchedule _schedule;
    private string? _refusedRole;

    /// <param name="credentials">Null: the agent's own identity (the SDK's default chain); tests give a moto user's.</param>
    public S3ReportSink(S3ReportLocation location, S3ReportingOptions options, ImdsOptions imds, TimeProvider clock, AWSCredentials? credentials = null)
    {
        _location = location;
        _clients = new ReportStoreClientFactory(options.Region, options.Endpoint, RequestTimeout);
        _imds = imds;
        _clock = clock;
        _credentials = credentials;
        _schedule = new PublishSchedule(clock, TimeSpan.FromSeconds(options.HeartbeatSeconds));
    }

    public string Destination => _location + "<host-id>.json";

    public S3ReportLocation Location => _location;

    /// <summary>
    /// Checked once the sources are read (only they name the data buckets): reports inside a bucket Databricks
    /// ingests would be read as sensor data. A refusal is a failed config row, and this sink sends nothing until a
    /// set without the clash is admitted.
    /// </summary>
    public ProbeResult? Admit(CredentialSet set)
    {
        _refusedRole = set.Buckets.FirstOrDefault(b => string.Equals(b.Name, _location.Bucket, StringComparison.Ordinal))?.Role;
        return _refusedRole is { } role ? new ProbeResult("config", "reporting.s3.uri", ProbeStatus.Failed, RefusalWhat(role), RefusalFix, TimeSpan.Zero) : null;
    }

    public async Task PublishAsync(Report report, CancellationToken ct)
    {
        if (_refusedRole is { } role)
        {
            throw new ReportStoreException("reporting.s3.uri", RefusalWhat(role), RefusalFix);
        }

        if (report.Mode == ReportMode.Run && !_schedule.IsDue(report))
        {
            return;
        }

        var key = _location.KeyFor(await ReportHostId.ResolveAsync(_imds, _clock, ct).ConfigureAwait(false));
        var where = $"s3://{_location.Bucket}/{key}";
        try
        {
            using var s3 = _clients.Create(_credentials, where);
            await s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _location.Bucket,
                Key = key,
                ContentBody = ReportJson.Serialize(report) + "\n",
                ContentType = "application/json",
            }, ct).ConfigureAwait(false);
            _schedule.Published(report);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or OperationCanceledException or ReportStoreException)
        {
            _schedule.Failed();
            throw e as ReportStoreException ?? Describe(e, where);
        }
    }

    private static string RefusalWhat(string role) =>
        $"reporting.s3.uri points into the {role} data bucket, which Databricks ingests: reports would be read as sensor data; no report is sent to S3";

    private static ReportStoreException Describe(Exception e, string where) => e switch
    {
        AmazonServiceException { StatusCode: HttpStatusCode.Forbidden } s => new(where, $"PutObject denied ({s.ErrorCode ?? "403"})",
            $"grant the agent's own role s3:PutObject on arn:aws:s3:::{where["s3://".Length..]}, or fix reporting.s3.uri", e),
        AmazonServiceException { ErrorCode: "NoSuchBucket" } => new(where, "the reports bucket does not exist",
            "create it (aws s3 mb), or fix the bucket in reporting.s3.uri", e),
        AmazonServiceException s => new(where, $"PutObject failed: {s.ErrorCode ?? "error"} (HTTP {(int)s.StatusCode})",
            "check reporting.s3.uri and reporting.s3.region; the next cycle tries again", e),
        _ => new(where, $"the reports store could not be reached ({e.GetType().Name})",
            "check the network path to S3 (or reporting.s3.endpoint); the next cycle tries again", e),
    };
}
