using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

using Amazon.S3;
using Amazon.S3.Model;

using NodeAgent.Aws;
using NodeAgent.Configuration;
using NodeAgent.Sources;

namespace NodeAgent.Probes;

/// <summary>
/// Checks that one bucket role works with the given credentials, action by action, exactly as the consumers use
/// it: s3:ListBucket, s3:GetBucketLocation (and that the bucket is in the configured region), s3:PutObject,
/// s3:GetObject (the content must come back intact) and s3:DeleteObject on a small object under the probe prefix.
/// <para>
/// No probe object is left behind: DeleteObject is first tried on the not-yet-written key (S3 answers 204 for a
/// missing key when allowed, AccessDenied when not), so a principal that cannot delete is never made to write; and
/// the object is removed in a finally, whatever failed in between. If even that delete fails the result names the
/// leftover object and how to remove it.
/// </para>
/// </summary>
public sealed class BucketAccessProbe : IProbe
{
    public const string ProbeName = "bucket";

    /// <summary>How long removing a probe object may take after the probe's own time ran out.</summary>
    private static readonly TimeSpan CleanupBudget = TimeSpan.FromSeconds(2);

    private readonly AwsClientFactory _clients;
    private readonly CredentialSource _credentials;
    private readonly string _region;
    private readonly BucketAssignment _bucket;
    private readonly bool _readOnly;
    private readonly string _bucketArn;
    private readonly string _objectsArn;
    private readonly AwsCallContext _call;

    public BucketAccessProbe(
        AwsClientFactory clients, CredentialSource credentials, string region, BucketAssignment bucket,
        ProbeOptions options, string hostname, bool readOnly)
    {
        _clients = clients;
        _credentials = credentials;
        _region = region;
        _bucket = bucket;
        _readOnly = readOnly;
        var partition = region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
            : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws";
        _bucketArn = $"arn:{partition}:s3:::{bucket.Name}";
        _objectsArn = _bucketArn + "/*";
        _call = new AwsCallContext(clients.S3Endpoint.Describe("s3", region), region, credentials,
            clients.RequestTimeout, bucket.Name);
        ObjectPrefix = options.ObjectPrefix.Replace("{hostname}", hostname, StringComparison.Ordinal);
        ObjectKey = $"{ObjectPrefix}{bucket.Role}-{DateTimeOffset.UtcNow:yyyyMMddTHHmmssZ}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.txt";
    }

    public string Name => $"{ProbeName} {_bucket.Role}";

    /// <summary>The prefix all probe objects of this host live under ({hostname} replaced).</summary>
    public string ObjectPrefix { get; }

    /// <summary>The key of this run's probe object: unique, so concurrent runs never read each other's object.</summary>
    public string ObjectKey { get; }

    public async Task<IReadOnlyList<ProbeResult>> RunAsync(CancellationToken ct)
    {
        using var s3 = _clients.CreateS3Client(_credentials, _region);
        var run = new Run(this, s3);
        await run.ExecuteAsync(ct).ConfigureAwait(false);
        return run.Results;
    }

    /// <summary>GetBucketLocation answers "" for us-east-1 and the legacy "EU" for eu-west-1.</summary>
    internal static string NormalizeRegion(string? location) => location switch
    {
        null or "" or "US" => "us-east-1",
        "EU" => "eu-west-1",
        _ => location,
    };

    private string TargetOf(string action) => $"{_bucket.Role}:{_bucket.Name}:{action}";

    /// <summary>One execution: the results so far and the failure, if any, that makes further calls pointless.</summary>
    private sealed class Run(BucketAccessProbe probe, AmazonS3Client s3)
    {
        private readonly string _content = $"nodeagent probe {probe.ObjectKey}\n";
        private AwsFailure? _stop;

        public List<ProbeResult> Results { get; } = [];

        public async Task ExecuteAsync(CancellationToken ct)
        {
            await StepAsync("s3:ListBucket", probe._bucketArn, async () =>
            {
                // One key is enough to prove the permission. Under the probe prefix: a least-privilege policy may
                // allow ListBucket only with the condition s3:prefix = _nodeagent/*, and then a bare list is denied.
                await s3.ListObjectsV2Async(
                    new ListObjectsV2Request { BucketName = probe._bucket.Name, Prefix = probe.ObjectPrefix, MaxKeys = 1 }, ct)
                    .ConfigureAwait(false);
                return Ok($"listed {probe._bucket.Name}");
            }).ConfigureAwait(false);

            await StepAsync("s3:GetBucketLocation", probe._bucketArn, async () =>
            {
                var location = await s3.GetBucketLocationAsync(
                    new GetBucketLocationRequest { BucketName = probe._bucket.Name }, ct).ConfigureAwait(false);
                var actual = NormalizeRegion(location.Location?.Value);
                return actual == probe._region
                    ? Ok($"bucket is in {actual}")
                    : new StepOutcome(ProbeStatus.Failed,
                        $"bucket '{probe._bucket.Name}' is in {actual}, but the configured region is {probe._region}",
                        $"set region {actual} in expanso-s3-config.json (and AWS_REGION in expanso-production.env), " +
                        $"or point this role at a bucket in {probe._region}");
            }).ConfigureAwait(false);

            if (probe._readOnly)
            {
                const string why = "read-only mode: write actions are not attempted";
                Skip("s3:PutObject", why);
                Skip("s3:GetObject", why + " (so there is no probe object to read)");
                Skip("s3:DeleteObject", why);
                return;
            }

            await WriteReadDeleteAsync(ct).ConfigureAwait(false);
        }

        private static StepOutcome Ok(string detail) => new(ProbeStatus.Ok, detail, null);

        private async Task WriteReadDeleteAsync(CancellationToken ct)
        {
            // Probe DeleteObject on the key before it exists: a principal that could write but not delete would
            // otherwise leave an object behind on every run.
            var deleteCheckStarted = Stopwatch.GetTimestamp();
            var deleteCheck = await TryAsync("s3:DeleteObject", probe._objectsArn, () => DeleteAsync(ct)).ConfigureAwait(false);
            var deleteCheckDuration = Stopwatch.GetElapsedTime(deleteCheckStarted);
            if (deleteCheck is { Status: ProbeStatus.Failed })
            {
                const string why = "not attempted: without s3:DeleteObject the probe object could not be removed again";
                Skip("s3:PutObject", _stop is null ? why : SkipReason());
                Skip("s3:GetObject", _stop is null ? why : SkipReason());
                Add("s3:DeleteObject", deleteCheck, deleteCheckStarted);
                return;
            }

            var written = false;
            var putAttempted = false;
            try
            {
                putAttempted = _stop is null;
                await StepAsync("s3:PutObject", probe._objectsArn, async () =>
                {
                    // UseChunkEncoding=false: S3-compatible stores mishandle aws-chunked bodies even with checksums
                    // WHEN_REQUIRED; for a few bytes the single signed payload costs nothing on AWS either.
                    await s3.PutObjectAsync(new PutObjectRequest
                    {
                        BucketName = probe._bucket.Name,
                        Key = probe.ObjectKey,
                        ContentBody = _content,
                        ContentType = "text/plain",
                        UseChunkEncoding = false,
                    }, ct).ConfigureAwait(false);
                    written = true;
                    return Ok($"wrote {Encoding.UTF8.GetByteCount(_content)} bytes to {probe.ObjectKey}");
                }).ConfigureAwait(false);

                if (!written && _stop is null)
                {
                    Skip("s3:GetObject", "not attempted: there is no probe object to read (PutObject failed)");
                }
                else
                {
                    await StepAsync("s3:GetObject", probe._objectsArn, async () =>
                    {
                        using var response = await s3.GetObjectAsync(probe._bucket.Name, probe.ObjectKey, ct).ConfigureAwait(false);
                        using var reader = new StreamReader(response.ResponseStream, Encoding.UTF8);
                        var read = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
                        return read == _content
                            ? Ok("read the probe object back intact")
                            : new StepOutcome(ProbeStatus.Failed,
                                $"read back {read.Length} characters that differ from the {_content.Length} written",
                                "the endpoint altered the object body: for an S3-compatible store, check its support of " +
                                "signed single-part uploads and checksums");
                    }).ConfigureAwait(false);
                }
            }
            finally
            {
                // Cleanup runs even when the probe's own time ran out or a step above threw: a timed-out
                // PutObject may still have written the object, so "attempted" is enough reason to delete.
                await CleanupAsync(putAttempted, deleteCheckDuration, ct).ConfigureAwait(false);
            }
        }

        private async Task CleanupAsync(bool putAttempted, TimeSpan deleteCheckDuration, CancellationToken ct)
        {
            var started = Stopwatch.GetTimestamp();
            if (!putAttempted)
            {
                Skip("s3:DeleteObject", SkipReason());
                return;
            }

            using var budget = ct.IsCancellationRequested ? new CancellationTokenSource(CleanupBudget) : null;
            var token = budget?.Token ?? ct;
            var deleted = await TryAsync("s3:DeleteObject", probe._objectsArn, () => DeleteAsync(token), evenAfterStop: true)
                .ConfigureAwait(false);
            if (deleted.Status == ProbeStatus.Failed)
            {
                deleted = deleted with
                {
                    Detail = $"{deleted.Detail}; the probe object s3://{probe._bucket.Name}/{probe.ObjectKey} may be left behind",
                    Fix = $"{deleted.Fix}; then remove it: aws s3 rm s3://{probe._bucket.Name}/{probe.ObjectKey}",
                };
            }

            Results.Add(new ProbeResult(ProbeName, probe.TargetOf("s3:DeleteObject"), deleted.Status, deleted.Detail, deleted.Fix,
                deleteCheckDuration + Stopwatch.GetElapsedTime(started)));
        }

        private async Task<StepOutcome> DeleteAsync(CancellationToken ct)
        {
            await s3.DeleteObjectAsync(probe._bucket.Name, probe.ObjectKey, ct).ConfigureAwait(false);
            return Ok($"deleted {probe.ObjectKey}");
        }

        private async Task StepAsync(string action, string resourceArn, Func<Task<StepOutcome>> call)
        {
            var started = Stopwatch.GetTimestamp();
            if (_stop is not null)
            {
                Skip(action, SkipReason());
                return;
            }

            Add(action, await TryAsync(action, resourceArn, call).ConfigureAwait(false), started);
        }

        [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A probe reports every failure of an S3 call as a classified row (AwsFailure); nothing it meets may end the verify run.")]
        private async Task<StepOutcome> TryAsync(
            string action, string resourceArn, Func<Task<StepOutcome>> call, bool evenAfterStop = false)
        {
            if (_stop is not null && !evenAfterStop)
            {
                return new StepOutcome(ProbeStatus.Skipped, SkipReason(), null);
            }

            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                var failure = AwsFailure.Classify(e, probe._call, action, resourceArn);
                if (failure.StopsProbe && _stop is null)
                {
                    _stop = failure;
                }

                return new StepOutcome(ProbeStatus.Failed, failure.Detail, failure.Fix, failure.Kind);
            }
        }

        private string SkipReason() => _stop is null ? "not attempted" : $"not attempted: {_stop.Detail}";

        private void Skip(string action, string reason) =>
            Results.Add(new ProbeResult(ProbeName, probe.TargetOf(action), ProbeStatus.Skipped, reason, null, TimeSpan.Zero));

        private void Add(string action, StepOutcome outcome, long started) =>
            Results.Add(new ProbeResult(ProbeName, probe.TargetOf(action), outcome.Status, outcome.Detail, outcome.Fix,
                Stopwatch.GetElapsedTime(started), outcome.Failure));
    }

    private sealed record StepOutcome(ProbeStatus Status, string Detail, string? Fix, AwsFailureKind? Failure = null);
}
