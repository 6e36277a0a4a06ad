using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using NodeAgent.Failures;
using NodeAgent.Logging;
using NodeAgent.Pipeline;
using NodeAgent.Planning;
using NodeAgent.Probes;
using NodeAgent.Reporting;
using NodeAgent.Sources;

namespace NodeAgent.Daemon;

/// <summary>How `nodeagent run` was started: what a SIGHUP reload reads again.</summary>
public sealed record DaemonStart(string? ConfigPath, string? Root, string? SourcesDirectory);

/// <summary>
/// `nodeagent run`: the <see cref="Reconciler"/> on a loop. Triggers (start, an upload, SIGHUP, the drift and probe
/// timers, a backoff retry) go into one <see cref="PendingTriggers"/>; this loop alone reads it, and nothing else
/// writes files or touches containers. READY=1 follows the first reconcile attempt whether it worked or not (bad
/// sources must not make systemd restart the agent in a loop); every cycle ends with one STATUS= line and a saved
/// report. A failed cycle is retried after a capped, jittered backoff; the loop ends only when the host stops it.
/// </summary>
public sealed partial class DaemonLoop : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(2);

    private readonly DaemonStart _start;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly ServiceNotifier _notifier;
    private readonly SecretRegistry _secrets;
    private readonly PendingTriggers _queue = new();
    private readonly CycleCounters _counters = new();
    private readonly LoopHeartbeat _heartbeat;
    private readonly Random _random;
    private readonly TimeSpan? _watchdog;

    private Reconciler _reconciler;
    private Backoff _backoff;
    private SourceWatcher? _watcher;
    private SourcePoller? _poller;
    private SsmParameterSourceProvider? _parameter;
    private SnapshotCache? _snapshots;
    private ITimer? _driftTimer;
    private ITimer? _probeTimer;
    private ITimer? _retryTimer;
    private ITimer? _watchdogTimer;
    private AgentException? _reloadFailure;
    private string? _appliedFingerprint;
    private DateTimeOffset? _lastWriteProbes;
    private ProbeTally? _lastProbes;
    private bool _retryProbes;
    private bool _retryPending;
    private int _probeCycles;

    private int _cycles;

    public DaemonLoop(DaemonStart start, AgentContext context, ILoggerFactory loggers, TimeProvider clock, ServiceNotifier notifier,
        SecretRegistry secrets, TimeSpan? watchdog, Random? random = null)
    {
        _start = start;
        _loggers = loggers;
        _logger = loggers.CreateLogger("NodeAgent.Daemon");
        _clock = clock;
        _notifier = notifier;
        _secrets = secrets;
        _watchdog = watchdog;
        _heartbeat = new LoopHeartbeat(clock);
        _random = random ?? Random.Shared;
        _reconciler = NewReconciler(context);
        _backoff = NewBackoff(context);
    }

    /// <summary>Cycles finished so far (their STATUS decided and their retry scheduled), for the benchmark and tests.</summary>
    public int Cycles => Volatile.Read(ref _cycles);

    /// <summary>Cycles that ran probes, for the tests: a drift timer must not keep a probe retry from coming due.</summary>
    public int ProbeCycles => Volatile.Read(ref _probeCycles);

    /// <summary>SIGHUP (systemctl reload): read the configuration again before the next cycle.</summary>
    public void RequestReload() => _queue.Post(Triggers.Reload);

    public override void Dispose()
    {
        Disarm();
        _queue.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting; the loop runs on its own from here.
        await Task.Yield();
        var context = _reconciler.Services.Context;
        LogStarted(_logger, AgentVersion.Current, _reconciler.Services.Sources.Origin, context.Paths.Root ?? "/");
        Arm(context);
        if (_watchdog is { } limit)
        {
            // Half the limit, as sd_watchdog_enabled(3) advises; the heartbeat decides whether a ping is honest.
            _watchdogTimer = _clock.CreateTimer(_ => PingWatchdog(limit), null, TimeSpan.Zero, limit / 2);
        }

        _queue.Post(Triggers.Start);
        var ready = false;
        try
        {
            while (true)
            {
                _heartbeat.Idle();
                var triggers = await _queue.TakeAsync(stoppingToken).ConfigureAwait(false);
                _heartbeat.Busy();
                var status = await CycleOrSurviveAsync(triggers, stoppingToken).ConfigureAwait(false);
                Interlocked.Increment(ref _cycles);
                if (!ready)
                {
                    _notifier.Ready(status);
                    ready = true;
                    // Probes come after READY, so start-up waits for the files only.
                    _queue.Post(Triggers.Probe);
                }
                else
                {
                    _notifier.Status(status);
                }

                if (_queue.IsEmpty)
                {
                    IdleMemoryTrim.Run();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopping(_logger);
            _notifier.Stopping("stopping");
        }
        finally
        {
            Disarm();
        }
    }

    [LoggerMessage(EventId = LogEvents.DaemonStarted, Level = LogLevel.Information, Message = "daemon: nodeagent {Version} watching {Sources} (root {Root})")]
    private static partial void LogStarted(ILogger logger, string version, string sources, string root);

    [LoggerMessage(EventId = LogEvents.CycleFinished, Level = LogLevel.Information, Message = "daemon: cycle ({Triggers}): {Status}")]
    private static partial void LogCycle(ILogger logger, Triggers triggers, string status);

    [LoggerMessage(EventId = LogEvents.CycleFailed, Level = LogLevel.Warning, Message = "daemon: cycle failed; retrying in {Seconds} s (failure {Failures} in a row)")]
    private static partial void LogRetry(ILogger logger, int seconds, int failures);

    [LoggerMessage(EventId = LogEvents.Drift, Level = LogLevel.Warning, Message = "drift: {File}: {What}; repaired")]
    private static partial void LogDrift(ILogger logger, string file, string what);

    [LoggerMessage(EventId = LogEvents.SourcesChanged, Level = LogLevel.Information, Message = "sources: {Origin} changed ({Fingerprint}); targets re-rendered")]
    private static partial void LogSourcesChanged(ILogger logger, string origin, string fingerprint);

    [LoggerMessage(EventId = LogEvents.ConfigReloaded, Level = LogLevel.Information, Message = "daemon: configuration {File} reloaded")]
    private static partial void LogReloaded(ILogger logger, string file);

    [LoggerMessage(EventId = LogEvents.ConfigReloadFailed, Level = LogLevel.Error, Message = "daemon: configuration reload failed, keeping the running one: {Problem}")]
    private static partial void LogReloadFailed(ILogger logger, string problem);

    [LoggerMessage(EventId = LogEvents.WatchFailed, Level = LogLevel.Warning, Message = "daemon: {Problem}")]
    private static partial void LogWatchFailed(ILogger logger, string problem);

    [LoggerMessage(EventId = LogEvents.SourcePollFailed, Level = LogLevel.Warning, Message = "sources: cannot look for a new version, keeping the placed credentials: {Problem}")]
    private static partial void LogPollFailed(ILogger logger, string problem);

    [LoggerMessage(EventId = LogEvents.LoopFault, Level = LogLevel.Error, Message = "daemon: internal error in a cycle (a bug, please report it): {Type}: {Message}")]
    private static partial void LogLoopFault(ILogger logger, string type, string message);

    [LoggerMessage(EventId = LogEvents.DaemonStopping, Level = LogLevel.Information, Message = "daemon: stopping")]
    private static partial void LogStopping(ILogger logger);

    /// <summary>A cycle, whatever happens in it: an expected failure is already report rows; anything else is a bug
    /// that is logged and retried, never the end of the daemon.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "The daemon must outlive a bug in one cycle: it is logged, reported in STATUS and retried.")]
    private async Task<string> CycleOrSurviveAsync(Triggers triggers, CancellationToken ct)
    {
        try
        {
            if (triggers.HasFlag(Triggers.Reload))
            {
                Reload();
            }

            if (triggers.HasFlag(Triggers.Retry))
            {
                _retryPending = false;
            }

            var result = await CycleAsync(triggers, ct).ConfigureAwait(false);
            // A drift cycle that went well does not clear a probe failure it did not look at: the retry stays due.
            ScheduleRetry(result.Failure is not null || result.Report.Status == ReportStatus.Failed || _retryProbes);
            var status = StatusLine.For(result, _lastProbes);
            LogCycle(_logger, triggers, status);
            return status;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            LogLoopFault(_logger, e.GetType().Name, SecretScrubber.Scrub(e.Message));
            ScheduleRetry(failed: true);
            return $"internal error: {e.GetType().Name} (see journalctl -u nodeagent); retrying";
        }
    }

    private async Task<ReconcileResult> CycleAsync(Triggers triggers, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        var options = _reconciler.Services.Context.Options;
        var scope = ProbeScope.None;
        if (triggers.HasFlag(Triggers.Probe) || (triggers.HasFlag(Triggers.Retry) && _retryProbes))
        {
            var writesDue = _lastWriteProbes is not { } last || now - last >= TimeSpan.FromSeconds(options.Daemon.WriteProbeIntervalSeconds);
            scope = writesDue ? ProbeScope.Full : ProbeScope.ReadOnly;
            Interlocked.Increment(ref _probeCycles);
        }

        if ((triggers & (Triggers.Start | Triggers.SourcesChanged | Triggers.Reload | Triggers.Retry)) != 0)
        {
            // Drift and probe cycles reuse the last read of a remote source; these may have new sources.
            _snapshots?.Refresh();
        }

        var request = new ReconcileRequest(ReportMode.Run)
        {
            Probes = scope,
            // Not on the first cycle: READY waits for the files only, and the probe cycle queued after READY proves all.
            FullProbesAfterRotation = !triggers.HasFlag(Triggers.Start),
            CarriedRows = _reloadFailure?.ToRows().Select(r => r with { Probe = "config" }).ToList() ?? [],
            Counters = _counters,
            BeforePublish = CountCycle,
        };
        var result = await _reconciler.RunAsync(request, ct).ConfigureAwait(false);
        Remember(result);
        if (result.Failure is null && (scope == ProbeScope.Full || result.Rotation?.ChangesKeys == true))
        {
            _lastWriteProbes = now;
        }

        // A cycle that ran no probe keeps the last probing cycle's tally and retry.
        if (StatusLine.ProbesOf(result.Report) is { } probed)
        {
            _lastProbes = probed;
            _retryProbes = probed.FirstFailure is not null;
        }

        _watcher?.Rearm();
        return result;
    }

    /// <summary>Drift and rotations of a finished cycle, logged and counted before its report is published.</summary>
    private void CountCycle(ReconcileResult result)
    {
        _counters.AddDriftRepairs(ReportFileChanges(result));
        _counters.RecordRotation(result.Rotation);
    }

    /// <summary>A change with the same sources as the last good cycle is drift (someone else touched the file); with new sources it is the rotation.</summary>
    /// <returns>How many drifted files were repaired.</returns>
    private int ReportFileChanges(ReconcileResult result)
    {
        if (result.Apply is not { DryRun: false } apply)
        {
            return 0;
        }

        var repaired = 0;
        var sameSources = result.Sources?.Fingerprint == _appliedFingerprint;
        foreach (var file in apply.Plan.Files.Where(f => f.IsChange && apply.WrittenPaths.Contains(f.Path)))
        {
            var what = !sameSources ? null : file.Action switch
            {
                FileAction.Update => string.Join("; ", file.Reasons),
                FileAction.Create => "was missing",
                FileAction.Remove => "reappeared on an instance-profile host",
                _ => null,
            };
            if (what is not null)
            {
                LogDrift(_logger, file.Path, what);
                repaired++;
            }
        }

        if (result.Failure is null)
        {
            if (_appliedFingerprint is not null && result.Sources?.Fingerprint != _appliedFingerprint)
            {
                LogSourcesChanged(_logger, result.Sources?.Origin ?? "-", result.Sources?.Fingerprint ?? "-");
            }

            _appliedFingerprint = result.Sources?.Fingerprint;
        }

        return repaired;
    }

    private void Remember(ReconcileResult result)
    {
        if (result.Set is { } set)
        {
            _secrets.Remember(set.Secrets
                .Concat(set.PassThroughEnvironment.Select(v => Secret.Of(v.Value))));
        }
    }

    private void Reload()
    {
        try
        {
            var context = AgentContext.Create(_start.ConfigPath, _start.Root, _start.SourcesDirectory);
            var reconciler = NewReconciler(context);
            Disarm(keepWatchdog: true);
            _reconciler = reconciler;
            _backoff = NewBackoff(context);
            _reloadFailure = null;
            Arm(context);
            LogReloaded(_logger, context.ConfigFile);
        }
        catch (AgentException e)
        {
            _reloadFailure = e;
            foreach (var problem in e.Problems)
            {
                LogReloadFailed(_logger, problem.ToString());
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Seeds the poll jitter; nothing about it is secret.")]
    private void Arm(AgentContext context)
    {
        var daemon = context.Options.Daemon;
        if (_parameter is { } parameter && _snapshots is { } snapshots)
        {
            // Nothing to watch on a parameter: ask for its version every poll_seconds instead (its own Random: timer threads).
            _poller = new SourcePoller(TimeSpan.FromSeconds(context.Options.Sources.Ssm.PollSeconds), _clock, new Random(_random.Next()),
                parameter.ReadRevisionAsync, () => snapshots.LastRevision, () => _queue.Post(Triggers.SourcesChanged),
                problem => LogPollFailed(_logger, problem));
            _poller.Start();
        }
        else
        {
            _watcher = new SourceWatcher(context.SourcesDirectory, TimeSpan.FromSeconds(daemon.SettleSeconds), _clock,
                () => _queue.Post(Triggers.SourcesChanged), problem => LogWatchFailed(_logger, problem));
            _watcher.Start();
        }

        var drift = TimeSpan.FromSeconds(daemon.DriftIntervalSeconds);
        _driftTimer = _clock.CreateTimer(_ => _queue.Post(Triggers.Drift), null, drift, drift);
        var probes = TimeSpan.FromSeconds(daemon.ProbeIntervalSeconds);
        _probeTimer = _clock.CreateTimer(_ => _queue.Post(Triggers.Probe), null, probes, probes);
        _retryTimer = _clock.CreateTimer(_ => _queue.Post(Triggers.Retry), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // A new timer (start, or a reload with its fresh backoff) has no retry armed: the next failure schedules one.
        _retryPending = false;
    }

    private void Disarm(bool keepWatchdog = false)
    {
        _watcher?.Dispose();
        _watcher = null;
        _poller?.Dispose();
        _poller = null;
        _driftTimer?.Dispose();
        _probeTimer?.Dispose();
        _retryTimer?.Dispose();
        if (!keepWatchdog)
        {
            _watchdogTimer?.Dispose();
        }
    }

    private void ScheduleRetry(bool failed)
    {
        if (!failed)
        {
            _backoff.Reset();
            _retryPending = false;
            _retryTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        // A retry already due stays due: drift cycles (every drift_interval_seconds) that fail again in between must
        // neither push it later nor grow the backoff, or a drift interval shorter than the backoff would starve it
        // (seen end to end: a healthcheck still "starting" after a reboot stayed in STATUS until the probe timer).
        if (_retryPending)
        {
            return;
        }

        var delay = _backoff.Next();
        _retryPending = true;
        _retryTimer?.Change(delay, Timeout.InfiniteTimeSpan);
        LogRetry(_logger, (int)Math.Ceiling(delay.TotalSeconds), _backoff.Failures);
    }

    /// <summary>A remote source gets the cache and the poller; the directory is read every cycle and watched by inotify.</summary>
    private Reconciler NewReconciler(AgentContext context)
    {
        _parameter = null;
        _snapshots = null;
        var services = AgentServices.Create(context, _loggers, _clock, sources =>
        {
            if (sources is not SsmParameterSourceProvider parameter)
            {
                return sources;
            }

            _parameter = parameter;
            _snapshots = new SnapshotCache(parameter);
            return _snapshots;
        });
        return new Reconciler(services);
    }

    private Backoff NewBackoff(AgentContext context) =>
        new(FirstRetry, TimeSpan.FromSeconds(Math.Max(context.Options.Daemon.MaxBackoffSeconds, 1)), _random);

    private void PingWatchdog(TimeSpan limit)
    {
        if (_heartbeat.IsAlive(limit))
        {
            _notifier.Watchdog();
        }
    }
}
