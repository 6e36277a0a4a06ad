using System.Text.RegularExpressions;

using NodeAgent.Sources;

namespace NodeAgent.Reporting;

/// <summary>s3://bucket/prefix/: where every host's report goes as &lt;prefix&gt;&lt;host-id&gt;.json, and where `nodeagent fleet` reads them.</summary>
public sealed partial record S3ReportLocation(string Bucket, string Prefix)
{
    public override string ToString() => $"s3://{Bucket}/{Prefix}";

    /// <summary>The object key of one host's report.</summary>
    public string KeyFor(string hostId) => Prefix + hostId + ".json";

    /// <summary>Parses <paramref name="uri"/>; <paramref name="setting"/> (reporting.s3.uri, --reports) names it in the error.</summary>
    /// <exception cref="InvalidInputException">not an s3:// URI with a valid bucket name.</exception>
    public static S3ReportLocation Parse(string uri, string setting)
    {
        var text = uri.Trim();
        const string scheme = "s3://";
        if (!text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid(setting, "not an s3:// URI");
        }

        var rest = text[scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..];
        if (!BucketName().IsMatch(bucket))
        {
            throw Invalid(setting, "no valid bucket name after s3:// (3 to 63 of a-z 0-9 . -)");
        }

        if (prefix.Length > 512 || prefix.Any(c => char.IsControl(c)) || prefix.Split('/').Any(p => p is "." or ".."))
        {
            throw Invalid(setting, "a prefix with control characters, '.' or '..' segments, or over 512 characters");
        }

        // A prefix is a folder of reports: without the slash, host "a" would land beside the prefix, not in it.
        if (prefix.Length > 0 && !prefix.EndsWith('/'))
        {
            prefix += "/";
        }

        return new S3ReportLocation(bucket, prefix);
    }

    private static InvalidInputException Invalid(string setting, string what) =>
        new([new SourceError(setting, null, what, "give it as s3://bucket/prefix/, e.g. s3://acme-fleet-reports/nodeagent/")]);

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();
}
