using System.Diagnostics;

using Microsoft.Extensions.Logging;

using NodeAgent.Containers;
using NodeAgent.Failures;
using NodeAgent.FileSystem;
using NodeAgent.Planning;
using NodeAgent.Probes;
using NodeAgent.Rendering;
using NodeAgent.Reporting;
using NodeAgent.Sources;

namespace NodeAgent.Pipeline;

/// <summary>
/// The one code path behind `apply`, `verify` and every cycle of `run`:
/// Load → Plan → Preflight (verified rotation) → lock → Write → Restart → Probe → Report.
/// An expected failure (any <see cref="AgentException"/>) ends the run early and becomes report rows; it is never
/// thrown out of here, so the daemon's loop cannot die of bad input. Only cancellation propagates.
/// One instance per configuration: the daemon keeps it across cycles (the rotation verdicts it remembers), and
/// builds a new one when SIGHUP brings new services.
/// </summary>
public sealed partial class Reconciler
{
    private static readonly string[] ModeNames = ["apply", "dry run", "verify", "run"];

    private readonly AgentServices _services;
    private readonly ProbeSuite _probes;
    private readonly RotationGate _rotation;
    private readonly IdentityClashGuard _clash;
    private readonly ILogger _logger;

    public Reconciler(AgentServices services)
    {
        _services = services;
        _probes = new ProbeSuite(services);
        var options = services.Context.Options;
        _rotation = new RotationGate(_probes, options.Rotation, services.Clock, TimeSpan.FromSeconds(options.Daemon.ProbeIntervalSeconds));
        _clash = new IdentityClashGuard(services);
        _logger = services.Loggers.CreateLogger("NodeAgent.Reconcile");
    }

    public AgentServices Services => _services;

    public async Task<ReconcileResult> RunAsync(ReconcileRequest request, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var run = new Run(request);
        run.Rows.AddRange(request.CarriedRows);
        try
        {
            run.Sources = await _services.Sources.ReadAsync(ct).ConfigureAwait(false);
            run.Set = SourceLoader.Build(run.Sources.Documents, _services.Context.Options);
            run.Rows.Add(new ProbeResult("credentials", run.Set.Choice.Name, ProbeStatus.Ok, run.Set.Choice.Reason, null, TimeSpan.Zero));
            if (_services.S3Reports?.Admit(run.Set) is { } refused)
            {
                // Only the sources name the data buckets, so this is where a reports prefix inside one is caught.
                run.Rows.Add(refused);
            }

            if (request.Mode == ReportMode.Verify)
            {
                await VerifyAsync(run, run.Set, ct).ConfigureAwait(false);
            }
            else
            {
                await ApplyAsync(run, run.Set, ct).ConfigureAwait(false);
            }
        }
        catch (AgentException failure)
        {
            run.Failure = failure;
            run.Rows.AddRange(failure.ToRows());
            if (failure is CredentialsNotSwappedException { Check: var check })
            {
                run.Rows.AddRange(check.Proof.Select(ProofRow));
            }

            LogFailure(failure);
        }

        var report = Compose(run, Stopwatch.GetElapsedTime(started));
        var result = new ReconcileResult(report, run.Failure, run.Apply, run.Sources, run.Set, run.Rotation, []);
        // Before the sinks, so what the caller counts from this run (the daemon's drift repairs) is in this run's metrics.
        request.BeforePublish?.Invoke(result);
        if (request.Mode == ReportMode.DryRun)
        {
            return result;
        }

        var facts = new CycleFacts { CredentialsSource = run.Set?.Choice.Name, KeyAge = run.KeyAge, Counters = request.Counters };
        var (lastReport, others) = await PublishAsync(report, facts, ct).ConfigureAwait(false);
        return result with { ReportProblems = lastReport, OtherSinkProblems = others };
    }

    /// <summary>The plan of what apply would change; reads targets (never through a link), writes nothing.</summary>
    public Plan PlanFor(CredentialSet set)
    {
        var context = _services.Context;
        var rendered = new TargetRenderer(context.Options).Render(set);
        var planner = new Planner(context.Paths, _services.FileSystem, new OwnershipResolver(context.Paths, context.ConfigFile));
        return planner.Plan(set, rendered);
    }

    /// <summary>A domain holding an unsafe target is refused whole; the others are applied (see <see cref="FailureDomains"/>).</summary>
    private static List<DomainResult> Refused(Plan plan) =>
        plan.RefusedDomains.Select(d => new DomainResult(d.Name, DomainStatus.Refused, [], new UnsafeTargetsException(d.Problems))).ToList();

    private static ProbeResult? RotationRow(RotationCheck check) => check.Verdict switch
    {
        RotationVerdict.Verified => new ProbeResult("rotation", "keys", ProbeStatus.Ok, check.Message, null, TimeSpan.Zero),
        RotationVerdict.Unchecked or RotationVerdict.UnverifiableApplied =>
            new ProbeResult("rotation", "keys", ProbeStatus.Skipped, check.Message, null, TimeSpan.Zero),
        _ => null,
    };

    /// <summary>A failed check of the new keys, filed under rotation so it is not read as a probe of the placed ones.</summary>
    private static ProbeResult ProofRow(ProbeResult proof) =>
        proof with { Probe = "rotation", Target = $"new key {proof.Probe} {proof.Target}" };

    [LoggerMessage(EventId = Logging.LogEvents.SourcesInvalid, Level = LogLevel.Error, Message = "sources: {Where}: {What} (fix: {Fix})")]
    private static partial void LogSourcesInvalid(ILogger logger, string where, string what, string fix);

    [LoggerMessage(EventId = Logging.LogEvents.WriteFailed, Level = LogLevel.Error, Message = "{Phase}: {Where}: {What} (fix: {Fix})")]
    private static partial void LogStepFailed(ILogger logger, string phase, string where, string what, string fix);

    [LoggerMessage(EventId = Logging.LogEvents.FileWritten, Level = LogLevel.Information, Message = "write: {File} placed")]
    private static partial void LogWritten(ILogger logger, string file);

    [LoggerMessage(EventId = Logging.LogEvents.FileRemoved, Level = LogLevel.Information, Message = "write: {File} removed (no key on an instance-profile host)")]
    private static partial void LogRemoved(ILogger logger, string file);

    [LoggerMessage(EventId = Logging.LogEvents.RotationVerified, Level = LogLevel.Information, Message = "rotation: {Message}")]
    private static partial void LogRotationVerified(ILogger logger, string message);

    [LoggerMessage(EventId = Logging.LogEvents.RotationRejected, Level = LogLevel.Error, Message = "rotation: {Message}")]
    private static partial void LogRotationRejected(ILogger logger, string message);

    [LoggerMessage(EventId = Logging.LogEvents.RotationUnverifiable, Level = LogLevel.Warning, Message = "rotation: {Message}")]
    private static partial void LogRotationUnverifiable(ILogger logger, string message);

    [LoggerMessage(EventId = Logging.LogEvents.IdentityClash, Level = LogLevel.Warning, Message = "credentials: {Detail} (fix: {Fix})")]
    private static partial void LogClash(ILogger logger, string detail, string fix);

    [LoggerMessage(EventId = Logging.LogEvents.ProbeFailed, Level = LogLevel.Warning, Message = "probe: {Probe} {Target} failed: {Detail} (fix: {Fix})")]
    private static partial void LogProbeFailed(ILogger logger, string probe, string target, string detail, string? fix);

    [LoggerMessage(EventId = Logging.LogEvents.ProbesSummary, Level = LogLevel.Information,
        Message = "{Mode}: {Ok} ok, {Changed} changed, {Failed} failed, {Skipped} skipped in {DurationMs} ms")]
    private static partial void LogSummary(ILogger logger, string mode, int ok, int changed, int failed, int skipped, long durationMs);

    [LoggerMessage(EventId = Logging.LogEvents.ReportNotPublished, Level = LogLevel.Warning, Message = "report: not written to {Destination}: {Problem}")]
    private static partial void LogReportNotPublished(ILogger logger, string destination, string problem);

    private async Task VerifyAsync(Run run, CredentialSet set, CancellationToken ct)
    {
        // Shared: verifies run side by side, but never while an apply is half-way through its files or a container swap.
        using var shared = await ApplyLock.AcquireSharedAsync(_services.Context.StateDirectory, run.Request.LockWait,
            run.Request.Waiting ?? (_ => { }), ct, _services.FileSystem).ConfigureAwait(false);
        var plan = PlanFor(set);
        run.Rows.AddRange(FileStateProbe.Results(plan));
        if (set.Credentials is { } keys)
        {
            // The key in use is the placed one (the probes sign with it), or, with nothing placed yet, the sources' one.
            var inUse = _probes.PlacedIdentity() is CredentialSource.StaticKeys placed ? placed.Keys.AccessKeyId : keys.AccessKeyId;
            AddKeyAge(run, inUse, record: false);
        }

        var scope = run.Request.Probes == ProbeScope.None ? ProbeScope.Full : run.Request.Probes;
        run.Rows.AddRange(await _probes.RunAsync(set, plan, scope, ProbeTimeout(run.Request), ct).ConfigureAwait(false));
    }

    private async Task ApplyAsync(Run run, CredentialSet set, CancellationToken ct)
    {
        var request = run.Request;
        var plan = PlanFor(set);
        if (await _clash.CheckAsync(set, plan, ct).ConfigureAwait(false) is { } clash)
        {
            run.Rows.Add(clash);
            LogClash(_logger, clash.Detail, clash.Fix!);
        }

        if (request.Mode == ReportMode.DryRun)
        {
            run.Apply = new ApplyResult(plan, [], true, null, "dry run") { Domains = Refused(plan) };
            if (run.Apply.SomeDomainsNotRotated)
            {
                throw new PartialRotationException(run.Apply.Domains);
            }

            return;
        }

        run.Rotation = await _rotation.CheckAsync(set, ProbeTimeout(request), ct).ConfigureAwait(false);
        LogRotation(run.Rotation);
        if (!run.Rotation.Swaps)
        {
            throw new CredentialsNotSwappedException(run.Rotation);
        }

        if (RotationRow(run.Rotation) is { } row)
        {
            run.Rows.Add(row);
        }

        using (await ApplyLock.AcquireAsync(_services.Context.StateDirectory, request.LockWait, request.Waiting ?? (_ => { }), ct, _services.FileSystem).ConfigureAwait(false))
        {
            // A plan made while another apply was writing would be stale: plan again under the lock.
            plan = PlanFor(set);
            // Each home's pair and the shared /opt/sensor set rotate on their own: a user who breaks their own home
            // cannot hold back root's keys or docker.env.
            var domains = plan.Files.Where(f => !plan.IsRefused(f.Domain)).GroupBy(f => f.Domain, StringComparer.Ordinal)
                .Select(g => new FileDomain(g.Key, g.Select(f => new DesiredFile(f.Path, f.Desired.Content, f.Desired.Mode, f.Owner, f.Desired.PrivateParent) { Absent = f.Desired.Absent }).ToList()))
                .ToList();
            var results = new FileSetTransaction(_services.FileSystem, _services.Context.BackupDirectory).ApplyDomains(domains).Concat(Refused(plan)).ToList();
            var written = results.SelectMany(d => d.WrittenPaths).ToList();
            var removals = plan.Files.Where(f => f.Action == FileAction.Remove).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var path in written)
            {
                if (removals.Contains(path))
                {
                    LogRemoved(_logger, path);
                }
                else
                {
                    LogWritten(_logger, path);
                }
            }

            run.Apply = new ApplyResult(plan, written, false, null, request.Restart ? null : "--no-restart") { Domains = results };
            // Read back from root's credentials file: only a key that really is in place there gets its first placement.
            // Under the lock, so two applies never interleave their read and rewrite of the ledger.
            if (set.Credentials is { } sourceKeys && _probes.PlacedIdentity() is CredentialSource.StaticKeys { Keys: var placedKeys })
            {
                AddKeyAge(run, placedKeys.AccessKeyId, record: placedKeys.AccessKeyId.Equals(sourceKeys.AccessKeyId));
            }

            if (request.Restart)
            {
                // Run even when no file changed: a consumer whose environment is still stale (an earlier apply that
                // was interrupted, a container recreated by hand from an old env file) is brought up to date all the same.
                var updater = new ConsumerUpdater(_services.Docker, _services.Context.Options.Containers,
                    _services.Loggers.CreateLogger<ConsumerUpdater>());
                // Only what the consumers read decides a restart: a mode or owner repair rewrites the file with the same
                // bytes, and restarting sensor uploads for that would be an outage for nothing.
                var contentChanged = plan.Files.Where(f => f.ContentChanged)
                    .Select(f => f.Path).Where(written.Contains).ToList();
                // Sandboxed (--root): only containers that bind-mount something under the root are touched, never the host's.
                var context = _services.Context;
                // A consumer's environment follows docker.env only when docker.env's domain rotated: otherwise the
                // container and the file on disk would disagree.
                var dockerEnv = context.Paths.Map(context.Options.Targets.DockerEnv.Path);
                var dockerEnvRotated = !results.Any(d => d.NotRotated && plan.Files.Any(f => f.Path == dockerEnv && f.Domain == d.Name));
                var environment = dockerEnvRotated
                    ? EnvFileRenderer.DockerEnvironment(set, context.Options.Profile)
                    : new Dictionary<string, string>();
                var outcomes = await updater.UpdateAsync(
                    new ConsumerUpdateRequest(contentChanged, environment, context.Paths.Root)
                    {
                        WithdrawnVariables = dockerEnvRotated && set.IsInstanceProfile ? EnvFileRenderer.KeyVariables : [],
                        RemovedPaths = contentChanged.Where(removals.Contains).ToList(),
                    },
                    ct).ConfigureAwait(false);
                run.Apply = run.Apply with { Containers = outcomes };
            }
        }

        if (run.Apply.SomeDomainsNotRotated)
        {
            // After the containers of the rotated domains: the report says which rotated, the failure why the others did not.
            throw new PartialRotationException(run.Apply.Domains);
        }

        var scope = request.Probes;
        if (request.FullProbesAfterRotation && run.Rotation.ChangesKeys)
        {
            scope = ProbeScope.Full;
        }

        if (scope != ProbeScope.None)
        {
            run.Rows.AddRange(await _probes.RunAsync(set, plan, scope, ProbeTimeout(request), ct).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// The key-age row of <paramref name="accessKeyId"/>, after noting its placement when <paramref name="record"/>. A
    /// ledger that cannot be read or written is a warning on the row: the keys are placed all the same.
    /// </summary>
    private void AddKeyAge(Run run, Secret accessKeyId, bool record)
    {
        try
        {
            var ledger = _services.KeyAges;
            var entry = record ? ledger.RecordPlaced(accessKeyId) : ledger.Find(accessKeyId);
            run.KeyAge = KeyAgeRow.For(accessKeyId.Masked, entry, _services.Clock.GetUtcNow(), _services.Context.Options.Rotation.MaxKeyAgeDays);
        }
        catch (AgentException e)
        {
            run.KeyAge = KeyAgeRow.Unknown(accessKeyId.Masked, e.Message);
        }

        run.Rows.Add(run.KeyAge.Row);
    }

    private TimeSpan ProbeTimeout(ReconcileRequest request) =>
        request.ProbeTimeout ?? TimeSpan.FromSeconds(_services.Context.Options.Probes.TimeoutSeconds);

    private Report Compose(Run run, TimeSpan duration)
    {
        var mode = run.Request.Mode;
        var files = run.Apply is { } apply ? ApplyReport.FileSteps(apply, run.Request.WithDiff) : [];
        var containers = run.Apply is { } applied ? ApplyReport.ContainerSteps(applied) : [];
        var report = Report.Create(mode, AgentVersion.Current, HostName.Current(), _services.Clock.GetUtcNow(), duration,
            run.Rows, files, containers);
        foreach (var failed in report.Probes.Where(p => p.Status == ProbeStatus.Failed && p.Probe is not ("sources" or "write" or "lock" or "rotation")))
        {
            LogProbeFailed(_logger, failed.Probe, failed.Target, failed.Detail, failed.Fix);
        }

        var summary = report.Summary;
        var name = ModeNames[(int)mode];
        LogSummary(_logger, name, summary.Ok, summary.Changed, summary.Failed, summary.Skipped, summary.DurationMs);

        return report;
    }

    /// <summary>Every sink gets the report; a failure of the last-report file (what `status` reads) is told apart from the others'.</summary>
    private async Task<(IReadOnlyList<string> LastReport, IReadOnlyList<string> Others)> PublishAsync(Report report, CycleFacts facts, CancellationToken ct)
    {
        var problems = new List<string>();
        var others = new List<string>();
        foreach (var sink in _services.ReportSinks)
        {
            try
            {
                await sink.PublishAsync(report, facts, ct).ConfigureAwait(false);
            }
            catch (AgentException e)
            {
                // Worded per sink: the operator acts differently on a missing last-report.json and a missed S3 upload.
                switch (sink)
                {
                    case LastReportFileSink:
                        problems.Add($"the last report was not written ({e.Message}); `nodeagent status` shows the previous one");
                        break;
                    case S3ReportSink:
                        problems.Add($"the report was not sent to {sink.Destination} ({e.Message}); the run itself counts, and the next run sends again");
                        break;
                    default:
                        others.Add($"{sink.Destination} ({e.Message})");
                        break;
                }

                LogReportNotPublished(_logger, sink.Destination, e.Message);
            }
        }

        return (problems, others);
    }

    private void LogFailure(AgentException failure)
    {
        foreach (var problem in failure.Problems.Distinct())
        {
            switch (failure.Phase)
            {
                case "sources":
                    LogSourcesInvalid(_logger, problem.Where, problem.What, problem.Fix);
                    break;
                case "rotation":
                    break; // LogRotation said it
                default:
                    LogStepFailed(_logger, failure.Phase, problem.Where, problem.What, problem.Fix);
                    break;
            }
        }
    }

    private void LogRotation(RotationCheck check)
    {
        switch (check.Verdict)
        {
            case RotationVerdict.Verified or RotationVerdict.Unchecked:
                LogRotationVerified(_logger, check.Message);
                break;
            case RotationVerdict.Rejected:
                LogRotationRejected(_logger, check.Message);
                break;
            case RotationVerdict.UnverifiableApplied or RotationVerdict.UnverifiableKept:
                LogRotationUnverifiable(_logger, check.Message);
                break;
        }
    }

    /// <summary>What one run has gathered so far; whatever a failure leaves of it still goes into the report.</summary>
    private sealed class Run(ReconcileRequest request)
    {
        public ReconcileRequest Request { get; } = request;

        public List<ProbeResult> Rows { get; } = [];

        public SourceSnapshot? Sources { get; set; }

        public CredentialSet? Set { get; set; }

        public ApplyResult? Apply { get; set; }

        public RotationCheck? Rotation { get; set; }

        public KeyAge? KeyAge { get; set; }

        public AgentException? Failure { get; set; }
    }
}
