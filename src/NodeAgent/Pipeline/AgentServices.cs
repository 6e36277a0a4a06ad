using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using NodeAgent.Aws;
using NodeAgent.Containers;
using NodeAgent.FileSystem;
using NodeAgent.Reporting;
using NodeAgent.Sources;

namespace NodeAgent.Pipeline;

/// <summary>
/// Everything a reconcile talks to, built once from one <see cref="AgentContext"/>: the daemon builds a new one on
/// SIGHUP, so a changed Docker endpoint, state directory or source directory takes effect as a whole.
/// </summary>
public sealed class AgentServices
{
    private AgentServices(AgentContext context, ILoggerFactory loggers, TimeProvider clock, Func<ISourceProvider, ISourceProvider>? wrapSources)
    {
        Context = context;
        Loggers = loggers;
        Clock = clock;
        FileSystem = new SecureFileSystem(context.Paths.Root ?? "/");
        Docker = new DockerClientFactory(context.Options.Containers);
        var sources = CreateSources(context);
        Sources = wrapSources?.Invoke(sources) ?? sources;
        LastReportPath = Path.Combine(context.StateDirectory, LastReportStore.DefaultFileName);
        KeyAges = new KeyAgeLedger(FileSystem, Path.Combine(context.StateDirectory, KeyAgeLedger.DefaultFileName), clock);
        var s3 = context.Options.Reporting.S3;
        S3Reports = s3.Uri is { } uri
            ? new S3ReportSink(S3ReportLocation.Parse(uri, "reporting.s3.uri"), s3, context.Options.Imds, clock)
            : null;
        IReportSink[] local =
        [
            new LastReportFileSink(FileSystem, LastReportPath),
            new TextfileMetricsSink(FileSystem, context.Paths.Map(context.Options.Reporting.Textfile.Path)),
        ];
        ReportSinks = S3Reports is null ? local : [.. local, S3Reports];
    }

    public AgentContext Context { get; }

    public ILoggerFactory Loggers { get; }

    public TimeProvider Clock { get; }

    /// <summary>Anchored at the sandbox root (or /): every read and write below it refuses symlinks.</summary>
    public SecureFileSystem FileSystem { get; }

    public DockerClientFactory Docker { get; }

    public ISourceProvider Sources { get; }

    public string LastReportPath { get; }

    /// <summary>When this host first placed each access key (STATE/key-ages.json), for the key-age row and metric.</summary>
    public KeyAgeLedger KeyAges { get; }

    public IReadOnlyList<IReportSink> ReportSinks { get; }

    /// <summary>reporting.s3.uri's sink, or null when reports stay on the host; the Reconciler admits each credential set to it.</summary>
    public S3ReportSink? S3Reports { get; }

    /// <param name="wrapSources">The daemon's hook to put its <see cref="Daemon.SnapshotCache"/> in front of a remote source.</param>
    public static AgentServices Create(AgentContext context, ILoggerFactory? loggers = null, TimeProvider? clock = null,
        Func<ISourceProvider, ISourceProvider>? wrapSources = null) =>
        new(context, loggers ?? NullLoggerFactory.Instance, clock ?? TimeProvider.System, wrapSources);

    /// <summary>AWS clients whose every request is bounded by <paramref name="timeout"/> (with at most one retry).</summary>
    public AwsClientFactory AwsClients(TimeSpan timeout) => new(Context.Options, timeout);

    /// <summary>The instance role and its keys, asked of IMDSv2 now (imds.endpoint, imds.timeout_seconds per request); never throws for an expected failure.</summary>
    public async Task<ImdsLookup> LookUpInstanceRoleAsync(CancellationToken ct)
    {
        var imds = Context.Options.Imds;
        using var client = new InstanceMetadataClient(ImdsEndpoint.Resolve(imds, Environment.GetEnvironmentVariable),
            TimeSpan.FromSeconds(imds.TimeoutSeconds), Clock);
        return await client.GetRoleAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// sources.provider: the deployer's directory, or the fleet's SSM parameter (read with the agent's own identity,
    /// each request bounded by probes.timeout_seconds; the loader has already refused ssm without a parameter).
    /// </summary>
    private static ISourceProvider CreateSources(AgentContext context)
    {
        var sources = context.Options.Sources;
        return sources.Provider == Configuration.SourceProviderKind.Ssm
            ? new SsmParameterSourceProvider(new SsmParameterReader(sources.Ssm, TimeSpan.FromSeconds(context.Options.Probes.TimeoutSeconds)))
            : new DirectorySourceProvider(context.SourcesDirectory, sources);
    }
}
