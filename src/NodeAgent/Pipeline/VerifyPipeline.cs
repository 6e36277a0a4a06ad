using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Aws;
using NodeAgent.Containers;
using NodeAgent.FileSystem;
using NodeAgent.Probes;
using NodeAgent.Rendering;
using NodeAgent.Reporting;
using NodeAgent.Sources;

namespace NodeAgent.Pipeline;

public sealed record VerifyRequest(bool ReadOnly, TimeSpan? Timeout);

/// <param name="LastReportProblem">Why the last-report file could not be written (the run itself still counts).</param>
/// <param name="InputErrors">Invalid sources: the report holds one failed row per problem and no probe ran.</param>
public sealed record VerifyOutcome(Report Report, string? LastReportProblem, IReadOnlyList<SourceError> InputErrors);

/// <summary>
/// Load → Render → Plan (the drift check apply would act on) → probes, all in parallel, each bounded → report.
/// Shares every step up to Plan with <see cref="ApplyPipeline"/>; it writes nothing but the last-report file.
/// </summary>
public sealed partial class VerifyPipeline(AgentContext context, ILoggerFactory? loggers = null)
{
    private readonly ILogger _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("NodeAgent.Verify");

    public string LastReportPath => Path.Combine(context.StateDirectory, LastReportStore.DefaultFileName);

    public async Task<VerifyOutcome> RunAsync(VerifyRequest request, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var options = context.Options;
        var timeout = request.Timeout ?? TimeSpan.FromSeconds(options.Probes.TimeoutSeconds);
        var apply = new ApplyPipeline(context, loggers);
        CredentialSet set;
        try
        {
            set = apply.LoadSources();
        }
        catch (InvalidInputException e)
        {
            // Still a report: `status` and monitoring must not keep showing an older, healthy one.
            var sourceRows = e.Errors.Select(error => new ProbeResult("sources", error.Line is { } line ? $"{error.File}:{line}" : error.File,
                ProbeStatus.Failed, error.What, error.Fix, TimeSpan.Zero));
            return Finish(apply, sourceRows, started, e.Errors);
        }

        var plan = apply.PlanFor(set);
        var rows = new List<ProbeResult>(FileStateProbe.Results(plan));

        var probes = new List<IProbe>();
        var credentials = PlacedCredentialsFor(apply, set, rows);
        var hostname = ProbeHostName.Current();
        if (credentials is not null)
        {
            var clients = new AwsClientFactory(options, timeout);
            probes.AddRange(AwsProbes.For(set with { Credentials = credentials }, options, clients, hostname, request.ReadOnly));
        }

        var environment = EnvFileRenderer.DockerEnvironment(set);
        var watchedFiles = plan.Files.Where(f => f.Desired.HoldsSecret).Select(f => f.Path).ToList();
        probes.Add(new ContainerStateProbe(
            // A container that started within the stability window is looked at twice; keep both looks well inside the
            // probe's own time bound.
            new ContainerCredentialInspector(new DockerClientFactory(options.Containers), options.Containers,
                TimeSpan.FromTicks(Math.Min(ContainerReadiness.StabilityWindow.Ticks, timeout.Ticks / 3))),
            new CurrentCredentials(environment, watchedFiles, context.Paths.Root)));

        var secrets = AwsProbes.SecretsOf(set.Credentials).Concat(credentials is null ? [] : AwsProbes.SecretsOf(credentials));
        var awsRows = await new ProbeRunner(secrets).RunAsync(probes, timeout, ct);
        rows.AddRange(credentials is null || credentials.Equals(set.Credentials) ? awsRows : PointAtDrift(awsRows));
        return Finish(apply, rows, started, []);
    }

    /// <summary>
    /// The AWS probes ran with what is placed, which differs from the sources: their usual fix ("correct the source
    /// file") would send the operator the wrong way. Rewriting the placed file from the sources comes first.
    /// </summary>
    private static IEnumerable<ProbeResult> PointAtDrift(IEnumerable<ProbeResult> rows) => rows.Select(r => r.Status == ProbeStatus.Failed
        ? r with { Fix = "the placed credentials differ from the sources: run nodeagent apply, then verify again" }
        : r);

    private VerifyOutcome Finish(ApplyPipeline apply, IEnumerable<ProbeResult> rows, long started, IReadOnlyList<SourceError> inputErrors)
    {
        var report = Report.Create(ReportMode.Verify, AgentVersion.Current, Environment.MachineName, DateTimeOffset.UtcNow,
            Stopwatch.GetElapsedTime(started), rows);
        string? problem = null;
        try
        {
            new LastReportStore(fileSystem: apply.FileSystem).Write(report, LastReportPath);
        }
        catch (Exception e) when (e is FileWriteException or UnsafePathException)
        {
            problem = e.Message;
            LogReportNotWritten(_logger, e.Message);
        }

        foreach (var failed in report.Probes.Where(p => p.Status == ProbeStatus.Failed))
        {
            LogProbeFailed(_logger, failed.Probe, failed.Target, failed.Detail, failed.Fix);
        }

        LogVerified(_logger, report.Summary.Ok, report.Summary.Failed, report.Summary.Skipped, report.Summary.DurationMs);
        return new VerifyOutcome(report, problem, inputErrors);
    }

    /// <summary>
    /// The placed credentials file of the first AWS home (root's, which the containers mount). When it is missing or
    /// broken, the AWS probes cannot stand for what the containers see, so they are reported as such instead of run.
    /// </summary>
    private AwsCredentials? PlacedCredentialsFor(ApplyPipeline apply, CredentialSet set, List<ProbeResult> rows)
    {
        if (context.Options.Targets.AwsHomes.Count == 0)
        {
            return set.Credentials;
        }

        var path = context.Paths.Map(context.Options.Targets.AwsHomes[0].CredentialsPath);
        var placed = PlacedCredentials.Read(apply.FileSystem, path, context.Options.Profile);
        if (placed.Credentials is not null)
        {
            return placed.Credentials;
        }

        rows.Add(new ProbeResult("identity", "sts", ProbeStatus.Failed,
            $"placed credentials {path}: {placed.Problem}", "run: nodeagent apply", TimeSpan.Zero));
        rows.AddRange(set.Buckets.Select(b => new ProbeResult("bucket", $"{b.Role}:{b.Name}", ProbeStatus.Skipped,
            "no usable placed credentials to probe with", "run: nodeagent apply", TimeSpan.Zero)));
        return null;
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Warning, Message = "verify: {Probe} {Target} failed: {Detail} (fix: {Fix})")]
    private static partial void LogProbeFailed(ILogger logger, string probe, string target, string detail, string? fix);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "verify: the last report was not written: {Problem}")]
    private static partial void LogReportNotWritten(ILogger logger, string problem);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "verify: {Ok} ok, {Failed} failed, {Skipped} skipped in {DurationMs} ms")]
    private static partial void LogVerified(ILogger logger, int ok, int failed, int skipped, long durationMs);
}
