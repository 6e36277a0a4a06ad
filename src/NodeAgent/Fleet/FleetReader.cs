using System.Net;
using System.Text;

using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

using NodeAgent.Reporting;

namespace NodeAgent.Fleet;

/// <summary>One object under the reports prefix: the report it holds, or why it holds none.</summary>
public sealed record FleetObject(string Key, Report? Report, string? Problem);

/// <summary>
/// Lists every object directly under the prefix (ListObjectsV2, page by page) and reads them in parallel, at most
/// <see cref="MaxInFlight"/> at a time. Every object is untrusted: each body is read up to <see cref="MaxReportBytes"/>
/// only, and one that is not a report (foreign, truncated, too big, unreadable) is a row with its problem, never a crash.
/// Listing itself failing (unreachable, denied, no bucket) is a <see cref="ReportStoreException"/>.
/// </summary>
public sealed class FleetReader(IAmazonS3 s3, S3ReportLocation location)
{
    public const int MaxInFlight = 64;

    /// <summary>A real report is a few KiB; a host with hundreds of rows stays far below this.</summary>
    public const int MaxReportBytes = 1024 * 1024;

    /// <summary>Far beyond any fleet: a prefix holding more is not a reports prefix, and memory stays bounded.</summary>
    public const int MaxObjects = 100_000;

    public async Task<IReadOnlyList<FleetObject>> ReadAsync(CancellationToken ct)
    {
        var keys = await ListAsync(ct).ConfigureAwait(false);
        var results = new FleetObject[keys.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, keys.Count), new ParallelOptions { MaxDegreeOfParallelism = MaxInFlight, CancellationToken = ct },
            async (i, token) => results[i] = await ReadOneAsync(keys[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        return results;
    }

    private static string? Truncate(string? text) => text is null ? null : text.Length <= 80 ? text : text[..80] + "…";

    private async Task<List<string>> ListAsync(CancellationToken ct)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = location.Bucket, Prefix = location.Prefix };
        try
        {
            do
            {
                var page = await s3.ListObjectsV2Async(request, ct).ConfigureAwait(false);
                foreach (var o in page.S3Objects ?? [])
                {
                    // Only the prefix's own objects: a deeper "folder" is someone else's (another fleet's prefix).
                    if (!o.Key.AsSpan(location.Prefix.Length).Contains('/'))
                    {
                        keys.Add(o.Key);
                    }
                }

                if (keys.Count > MaxObjects)
                {
                    throw new ReportStoreException(location.ToString(), $"holds more than {MaxObjects} objects, which is not a reports prefix",
                        "point --reports at the prefix reporting.s3.uri names");
                }

                request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
            }
            while (request.ContinuationToken is not null);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or OperationCanceledException)
        {
            throw Unreadable(e);
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    private async Task<FleetObject> ReadOneAsync(string key, CancellationToken ct)
    {
        try
        {
            using var response = await s3.GetObjectAsync(location.Bucket, key, ct).ConfigureAwait(false);
            if (response.ContentLength > MaxReportBytes)
            {
                return new(key, null, $"{response.ContentLength} bytes, over the {MaxReportBytes / 1024} KiB a report may be (not read)");
            }

            var buffer = new byte[MaxReportBytes + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await response.ResponseStream.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            if (total > MaxReportBytes)
            {
                return new(key, null, $"over the {MaxReportBytes / 1024} KiB a report may be (not read further)");
            }

            var report = ReportJson.Deserialize(Encoding.UTF8.GetString(buffer, 0, total));
            return report is null ? new(key, null, "holds JSON null, not a report") : new(key, report, null);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (InvalidDataException e)
        {
            return new(key, null, Truncate(e.Message));
        }
        catch (AmazonServiceException e)
        {
            return new(key, null, $"could not be read: {e.ErrorCode ?? "error"} (HTTP {(int)e.StatusCode})");
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or IOException or OperationCanceledException)
        {
            return new(key, null, $"could not be read ({e.GetType().Name})");
        }
    }

    private ReportStoreException Unreadable(Exception e) => e switch
    {
        AmazonServiceException { StatusCode: HttpStatusCode.Forbidden } s => new(location.ToString(), $"listing was denied ({s.ErrorCode ?? "403"})",
            $"the identity running fleet needs s3:ListBucket on arn:aws:s3:::{location.Bucket} and s3:GetObject on arn:aws:s3:::{location.Bucket}/{location.Prefix}*", e),
        AmazonServiceException { ErrorCode: "NoSuchBucket" } => new(location.ToString(), "the bucket does not exist", "check the bucket in --reports (and --region)", e),
        AmazonServiceException s => new(location.ToString(), $"listing failed: {s.ErrorCode ?? "error"} (HTTP {(int)s.StatusCode})", "check --reports and --region", e),
        _ => new(location.ToString(), $"S3 could not be reached ({e.GetType().Name})", "check the network path to S3 (or --endpoint / AWS_ENDPOINT_URL_S3)", e),
    };
}
