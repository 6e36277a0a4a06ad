namespace NodeAgent.Sources;

/// <summary>One value as a source file gives it, with where it came from (for errors and agreement checks).</summary>
internal sealed record SourcedValue(string Value, string File, int? Line, string Field)
{
    public string Where => Line is { } line ? $"{File}:{line}" : File;
}

/// <summary>How one kind of source names each field, so messages use the operator's own spelling.</summary>
internal sealed record SourceFieldNames(
    string AccessKeyId,
    string SecretAccessKey,
    string SessionToken,
    string Region,
    Func<string, string>? Bucket)
{
    public static readonly SourceFieldNames Ini = new(
        "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "region", null);

    public static readonly SourceFieldNames Json = new(
        "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "region",
        role => $"s3_configuration.buckets.{role}");

    public static readonly SourceFieldNames Env = new(
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION",
        role => new BucketAssignment(role, string.Empty).EnvironmentVariable);
}

/// <summary>
/// What one source file holds, before the files are checked against each other. <see cref="Usable"/> is false
/// when the file could not be read as a whole (then "nothing provides X" would only be noise: it may be in there).
/// </summary>
internal sealed class SourceFacts(string file, SourceFieldNames names)
{
    public string File { get; } = file;

    public SourceFieldNames Names { get; } = names;

    public bool Usable { get; set; } = true;

    public SourcedValue? AccessKeyId { get; set; }

    public SourcedValue? SecretAccessKey { get; set; }

    public SourcedValue? SessionToken { get; set; }

    public SourcedValue? Region { get; set; }

    /// <summary>Configured roles only, keyed by role.</summary>
    public Dictionary<string, SourcedValue> Buckets { get; } = new(StringComparer.Ordinal);

    /// <summary>Where the bucket list starts, for "some roles are missing" errors.</summary>
    public int? BucketsLine { get; set; }

    public List<KeyValuePair<string, string>> PassThrough { get; } = [];

    public SourcedValue At(int? line, string field, string value) => new(value, File, line, field);
}
