using NodeAgent.FileSystem;

namespace NodeAgent.Configuration;

/// <summary>How the host holds its AWS identity: keys from the sources, or the EC2 instance profile.</summary>
public enum CredentialsMode
{
    /// <summary>Static when any source holds keys, otherwise the instance profile.</summary>
    Auto,
    Static,
    InstanceProfile,
}

/// <summary>Where the sources come from: the deployer's upload directory, or one SSM parameter for the whole fleet.</summary>
public enum SourceProviderKind
{
    Directory,
    Ssm,
}

public enum UnverifiableRotation
{
    Apply,
    Keep,
}

/// <summary>
/// Everything NodeAgent can be told. The defaults reproduce the standard host layout, so a missing
/// /etc/nodeagent/nodeagent.yaml means exactly that layout. Paths here are host paths; <see cref="PathMap"/>
/// re-roots them for sandboxes.
/// </summary>
public sealed record AgentOptions
{
    public SourcesOptions Sources { get; init; } = new();

    /// <summary>The profile name written into every ~/.aws/credentials and ~/.aws/config.</summary>
    public string Profile { get; init; } = "default";

    /// <summary>Bucket roles, in order: each maps to s3_configuration.buckets.ROLE and S3_BUCKET_ROLE.</summary>
    public IReadOnlyList<string> BucketRoles { get; init; } = ["raw", "schematized", "filtered", "emergency"];

    public TargetsOptions Targets { get; init; } = new();

    public ContainersOptions Containers { get; init; } = new();

    public EndpointOptions S3 { get; init; } = new();

    public EndpointOptions Sts { get; init; } = new();

    public ProbeOptions Probes { get; init; } = new();

    public RotationOptions Rotation { get; init; } = new();

    public DaemonOptions Daemon { get; init; } = new();

    public LoggingOptions Logging { get; init; } = new();

    public StatusOptions Status { get; init; } = new();

    public CredentialsOptions Credentials { get; init; } = new();

    public ImdsOptions Imds { get; init; } = new();

    public ReportingOptions Reporting { get; init; } = new();

    /// <summary>Backups of the previous target set and the last report live here.</summary>
    public string StateDirectory { get; init; } = "/var/lib/nodeagent";
}

public sealed record CredentialsOptions
{
    public CredentialsMode Mode { get; init; } = CredentialsMode.Auto;
}

/// <summary>
/// The EC2 instance metadata service, IMDSv2: the instance-profile identity, and the check that keys written as
/// [default] into root's credentials file do not take root's other agents (SSM, CloudWatch) off the instance role.
/// </summary>
public sealed record ImdsOptions
{
    /// <summary>Null: AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254 (and AWS_EC2_METADATA_DISABLED=true turns it off).</summary>
    public string? Endpoint { get; init; }

    /// <summary>Per request. IMDS answers in about a millisecond on EC2; off EC2 nothing answers, so this is what a non-EC2 host pays.</summary>
    public int TimeoutSeconds { get; init; } = 1;
}

/// <summary>What to do when the sources carry other keys than the placed, working ones.</summary>
public sealed record RotationOptions
{
    /// <summary>Prove new keys (STS identity, read-only S3 actions on every bucket) before any file or container changes.</summary>
    public bool VerifyBeforeSwap { get; init; } = true;

    /// <summary>
    /// AWS cannot be reached, so the new keys can be proved neither good nor bad: apply them (the old key may be the
    /// revoked one) or keep what is placed.
    /// </summary>
    public UnverifiableRotation WhenUnverifiable { get; init; } = UnverifiableRotation.Apply;

    /// <summary>The key-age row of apply, run and verify warns when the key in use was first placed on this host longer ago (IAM.3 of AWS Security Hub's FSBP: 90 days).</summary>
    public int MaxKeyAgeDays { get; init; } = 90;
}

/// <summary>`nodeagent run`: how often the loop looks again. Every value accepts 1 s, so tests and the demo run in seconds.</summary>
public sealed record DaemonOptions
{
    /// <summary>Quiet time after the last change in the sources directory before a cycle runs (uploads come in bursts).</summary>
    public int SettleSeconds { get; init; } = 2;

    /// <summary>How often the targets are compared with the sources (mode, owner, content, planted links) and repaired.</summary>
    public int DriftIntervalSeconds { get; init; } = 60;

    /// <summary>How often the read-only probes run (identity, ListBucket, GetBucketLocation).</summary>
    public int ProbeIntervalSeconds { get; init; } = 900;

    /// <summary>The write probes (Put/Get/Delete) run after a credential change and at most this often otherwise.</summary>
    public int WriteProbeIntervalSeconds { get; init; } = 3600;

    /// <summary>Upper bound of the retry delay after a failed cycle (capped exponential backoff with jitter).</summary>
    public int MaxBackoffSeconds { get; init; } = 300;
}

public sealed record LoggingOptions
{
    /// <summary>The daemon's own log files (nodeagent-YYYYMMDD.log, daily, 0640), besides the journal.</summary>
    public string Directory { get; init; } = "/var/log/nodeagent";

    /// <summary>Daily files kept.</summary>
    public int RetainedFiles { get; init; } = 14;
}

public sealed record SourcesOptions
{
    public string Directory { get; init; } = "/opt/deployment/etc/aws/credentials";
    public string CredentialsFile { get; init; } = "expanso-s3-credentials";
    public string ConfigFile { get; init; } = "expanso-s3-config.json";
    public string EnvFile { get; init; } = "expanso-production.env";

    /// <summary>The profile read from the shared-credentials source.</summary>
    public string Profile { get; init; } = "default";

    public SourceProviderKind Provider { get; init; } = SourceProviderKind.Directory;

    public SsmSourceOptions Ssm { get; init; } = new();
}

/// <summary>
/// sources.provider: ssm. One SecureString parameter whose value is the expanso-s3-config.json document; read with the
/// agent's own identity (the SDK's default chain, normally the instance role), never with the keys it distributes.
/// </summary>
public sealed record SsmSourceOptions
{
    /// <summary>The parameter name (/expanso/s3-config), or /aws/reference/secretsmanager/SECRET-ID for a Secrets Manager secret.</summary>
    public string? Parameter { get; init; }

    /// <summary>How often the parameter's Version is asked, with ±20% jitter so a fleet never calls at once.</summary>
    public int PollSeconds { get; init; } = 300;

    /// <summary>Null: the region of the SDK's default chain (AWS_REGION, ~/.aws/config, the instance's region via IMDS).</summary>
    public string? Region { get; init; }

    /// <summary>Null: AWS_ENDPOINT_URL_SSM, then AWS_ENDPOINT_URL, then AWS itself.</summary>
    public string? Endpoint { get; init; }
}

/// <summary>Where reports and metrics go besides last-report.json.</summary>
public sealed record ReportingOptions
{
    public S3ReportingOptions S3 { get; init; } = new();

    public TextfileReportingOptions Textfile { get; init; } = new();
}

/// <summary>Every report to &lt;uri&gt;&lt;host-id&gt;.json, with the agent's own identity (default chain), for `nodeagent fleet`.</summary>
public sealed record S3ReportingOptions
{
    /// <summary>s3://bucket/prefix/; null: reports stay on the host.</summary>
    public string? Uri { get; init; }

    /// <summary>The daemon publishes a report that did not change at least this often, so a silent host shows as stale.</summary>
    public int HeartbeatSeconds { get; init; } = 900;

    public string? Region { get; init; }

    /// <summary>Null: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, then AWS itself (s3.endpoint is the probes' store, not this one).</summary>
    public string? Endpoint { get; init; }
}

/// <summary>Prometheus node_exporter's textfile collector: written only when the directory exists.</summary>
public sealed record TextfileReportingOptions
{
    public string Path { get; init; } = "/var/lib/node_exporter/textfile_collector/nodeagent.prom";
}

/// <summary>One file NodeAgent writes: where, owned by whom, with which mode.</summary>
public sealed record FileTarget(string Path, string Owner, PermissionBits Mode);

/// <summary>A user whose ~/.aws/credentials and ~/.aws/config NodeAgent maintains.</summary>
public sealed record AwsHomeTarget(string User, string Home)
{
    public string AwsDirectory => System.IO.Path.Combine(Home, ".aws");
    public string CredentialsPath => System.IO.Path.Combine(AwsDirectory, "credentials");
    public string ConfigPath => System.IO.Path.Combine(AwsDirectory, "config");
}

public sealed record TargetsOptions
{
    public IReadOnlyList<AwsHomeTarget> AwsHomes { get; init; } =
    [
        new("root", "/root"),
        new("ubuntu", "/home/ubuntu"),
    ];

    public FileTarget S3Config { get; init; } = new("/opt/sensor/config/s3-config.json", "ubuntu", PermissionBits.OwnerReadWrite);

    public StorageConfigTarget StorageConfig { get; init; } = new();

    public FileTarget DotEnv { get; init; } = new("/opt/sensor/.env", "ubuntu", PermissionBits.OwnerReadWrite);

    public FileTarget DockerEnv { get; init; } = new("/opt/sensor/docker.env", "ubuntu", PermissionBits.OwnerReadWrite);
}

/// <summary>databricks-storage-config.yaml: holds no secret, only where the credentials are.</summary>
public sealed record StorageConfigTarget
{
    public string Path { get; init; } = "/opt/sensor/config/databricks-storage-config.yaml";
    public string Owner { get; init; } = "ubuntu";
    public PermissionBits Mode { get; init; } = PermissionBits.OwnerWriteAllRead;

    /// <summary>The credentials file the readers of this config use, as seen from inside the containers.</summary>
    public string SharedCredentialsFile { get; init; } = "/root/.aws/credentials";
    public string ConfigFile { get; init; } = "/root/.aws/config";
}

public sealed record ContainersOptions
{
    /// <summary>Consumers, matched by exact name, compose name (project-NAME-n) and com.docker.compose.service label.</summary>
    public IReadOnlyList<string> Names { get; init; } = ["sensor-simulators", "compute"];

    /// <summary>Docker endpoint; DOCKER_HOST wins when set, like the docker CLI.</summary>
    public string DockerHost { get; init; } = "unix:///var/run/docker.sock";

    /// <summary>How long one restarted or recreated container may take to be running (and healthy).</summary>
    public int RestartTimeoutSeconds { get; init; } = 60;
}

public sealed record EndpointOptions
{
    /// <summary>A custom endpoint (S3-compatible store, local emulator); null means AWS itself.</summary>
    public string? Endpoint { get; init; }
}

public sealed record StatusOptions
{
    /// <summary>A last report older than this is stale for `status` (exit 1): nothing has checked the host since.</summary>
    public int StaleAfterSeconds { get; init; } = 1800;
}

public sealed record ProbeOptions
{
    public int TimeoutSeconds { get; init; } = 5;

    /// <summary>Key prefix of the probe objects; {hostname} is replaced by this host's name.</summary>
    public string ObjectPrefix { get; init; } = "_nodeagent/probes/{hostname}/";
}
