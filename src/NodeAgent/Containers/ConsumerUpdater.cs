using Docker.DotNet;
using Docker.DotNet.Models;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using NodeAgent.Configuration;
namespace NodeAgent.Containers;

/// <summary>
/// After an apply, brings every consumer container onto the new credentials, one at a time, each waited for:
/// a stale environment means recreate (Docker never re-reads env files), a changed bind-mounted file means restart
/// (the process may cache keys; a single-file mount even keeps the old inode), anything else is left alone.
/// Never throws for Docker trouble: each consumer gets an outcome with a reason and a fix.
/// </summary>
public sealed partial class ConsumerUpdater
{
    private readonly DockerClientFactory _factory;
    private readonly ConsumerFinder _finder;
    private readonly TimeSpan _readyTimeout;
    private readonly ILogger _logger;

    public ConsumerUpdater(DockerClientFactory factory, ContainersOptions options, ILogger<ConsumerUpdater>? logger = null)
    {
        _factory = factory;
        _finder = new ConsumerFinder(factory, options);
        _readyTimeout = TimeSpan.FromSeconds(options.RestartTimeoutSeconds);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public async Task<IReadOnlyList<ContainerOutcome>> UpdateAsync(ConsumerUpdateRequest request, CancellationToken ct)
    {
        DockerClient client;
        IReadOnlyList<ConsumerContainer> found;
        try
        {
            client = await _factory.ConnectAsync(ct).ConfigureAwait(false);
        }
        catch (DockerUnavailableException e)
        {
            return EveryConsumerFailed(e.Reason, e.Fix);
        }

        using (client)
        {
            try
            {
                found = await _finder.FindAsync(client, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                var unavailable = DockerFailureDescriber.Unavailable(e, _factory);
                return EveryConsumerFailed($"could not list containers: {unavailable.Reason}", unavailable.Fix);
            }

            // Consumers are independent services, so they restart side by side: a rotation costs the slowest
            // consumer's restart and readiness wait, not their sum. The replicas of one consumer still go one after
            // another, so a scaled service is never down all at once. Outcomes keep the configured order.
            var perConsumer = await Task.WhenAll(_finder.ConsumerNames.Select(
                consumer => UpdateConsumerAsync(client, consumer, found, request, ct))).ConfigureAwait(false);
            return [.. perConsumer.SelectMany(o => o)];
        }
    }

    // Someone froze it on purpose (maintenance, debugging): a stop would be queued behind the freeze and end in a
    // kill, and unpausing first would let it run again against that person's intent. So it is left exactly as it is,
    // and reported as failed because it keeps the old credentials until it is unpaused and apply runs again.
    private static ContainerOutcome LeftPaused(ConsumerContainer container, ContainerInspectResponse inspect, CredentialConsumption consumption)
    {
        var why = string.Join("; ", new[] { consumption.DescribeEnvironment(), consumption.DescribeMounts() }.Where(p => p.Length > 0));
        var would = consumption.EnvironmentIsStale ? "recreated" : "restarted";
        return new ContainerOutcome(container.Consumer, container.Name, inspect.ID, ContainerAction.Failed,
            $"was paused; left alone (not {would}, which would unpause it), so it still has the old credentials: {why}",
            $"docker unpause {container.Name} once it may run again, then apply again");
    }

    [LoggerMessage(EventId = NodeAgent.Logging.LogEvents.ContainerStep, Level = LogLevel.Information, Message = "container {Consumer} {Container}: {Action}: {Reason}")]
    private static partial void LogOutcome(ILogger logger, string consumer, string? container, ContainerAction action, string reason);

    [LoggerMessage(EventId = NodeAgent.Logging.LogEvents.ContainersFailed, Level = LogLevel.Error, Message = "container {Consumer} {Container}: failed: {Reason} (fix: {Fix})")]
    private static partial void LogFailed(ILogger logger, string consumer, string? container, string reason, string? fix);

    private async Task<IReadOnlyList<ContainerOutcome>> UpdateConsumerAsync(
        DockerClient client, string consumer, IReadOnlyList<ConsumerContainer> found, ConsumerUpdateRequest request,
        CancellationToken ct)
    {
        // One scrubber per consumer: it learns the values of each container's environment as it goes, and the
        // consumers run concurrently.
        var scrubber = new KnownValueScrubber(request.DesiredEnvironment.Values);
        var containers = found.Where(c => c.Consumer == consumer).ToList();
        if (containers.Count == 0)
        {
            return [new ContainerOutcome(consumer, null, null, ContainerAction.NotFound,
                ConsumerFinder.NotFoundReason(consumer), ConsumerFinder.NotFoundFix(consumer))];
        }

        var outcomes = new List<ContainerOutcome>();
        foreach (var container in containers)
        {
            var outcome = await UpdateOneAsync(client, container, request, scrubber, ct).ConfigureAwait(false);
            Log(outcome);
            outcomes.Add(outcome);
        }

        return outcomes;
    }

    private async Task<ContainerOutcome> UpdateOneAsync(
        DockerClient client, ConsumerContainer container, ConsumerUpdateRequest request, KnownValueScrubber scrubber, CancellationToken ct)
    {
        ContainerInspectResponse? inspect = null;
        try
        {
            inspect = await client.Containers.InspectContainerAsync(container.Id, ct).ConfigureAwait(false);
            if (SandboxScope.OutsideReason(inspect, request.SandboxRoot) is { } outside)
            {
                return new ContainerOutcome(container.Consumer, container.Name, inspect.ID, ContainerAction.Unchanged, outside, null);
            }

            var consumption = CredentialConsumption.Analyze(inspect, request);
            scrubber.Add(inspect.Config?.Env);
            ContainerOutcome outcome;
            if (inspect.State is { Paused: true } && (consumption.EnvironmentIsStale || consumption.ReadsChangedFile))
            {
                outcome = LeftPaused(container, inspect, consumption);
            }
            else if (consumption.EnvironmentIsStale)
            {
                var why = consumption.DescribeEnvironment();
                if (consumption.ReadsChangedFile)
                {
                    why += $"; {consumption.DescribeMounts()}";
                }

                var recreator = new ContainerRecreator(client, _readyTimeout, _factory.RequestTimeout);
                outcome = await recreator.RecreateAsync(container, inspect, consumption.UpdatedEnvironment, why, ct).ConfigureAwait(false);
            }
            else if (consumption.ChangedMounts.FirstOrDefault(m => !m.IsDirectory && request.RemovedPaths.Contains(m.ChangedPath)) is { } gone)
            {
                // Docker recreates a missing single-file bind source as a directory at start (or refuses to start): a
                // restart would plant a directory where the file was, and the next static apply could not write it.
                outcome = new ContainerOutcome(container.Consumer, container.Name, inspect.ID, ContainerAction.Failed,
                    $"not restarted: it bind-mounts the removed file {gone.Source} on its own",
                    $"mount the directory instead ({Path.GetDirectoryName(gone.Source)}:{Path.GetDirectoryName(gone.Destination)}:ro) and recreate it (docker compose up -d)");
            }
            else if (consumption.ReadsChangedFile)
            {
                outcome = await RestartAsync(client, container, inspect, consumption, ct).ConfigureAwait(false);
            }
            else
            {
                outcome = new ContainerOutcome(container.Consumer, container.Name, inspect.ID, ContainerAction.Unchanged,
                    "unchanged: it reads none of the changed files and its environment is current", null);
            }

            return scrubber.Scrub(outcome);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var fix = DockerFailureDescriber.IsConnectionFailure(e)
                ? $"{DockerFailureDescriber.StartDockerFix}; then apply again"
                : $"docker inspect {container.Name}; then apply again";
            return scrubber.Scrub(new ContainerOutcome(container.Consumer, container.Name, inspect?.ID ?? container.Id, ContainerAction.Failed,
                $"could not update: {DockerFailureDescriber.Describe(e)}", fix));
        }
    }

    private async Task<ContainerOutcome> RestartAsync(
        DockerClient client, ConsumerContainer container, ContainerInspectResponse inspect, CredentialConsumption consumption, CancellationToken ct)
    {
        var why = consumption.DescribeMounts();
        if (inspect.State is not ({ Running: true } or { Restarting: true }))
        {
            // A stopped container is left stopped: it reads the new files whenever it is next started.
            return new ContainerOutcome(container.Consumer, container.Name, inspect.ID, ContainerAction.Unchanged,
                $"unchanged: stopped, and reads the new files when next started ({why})", null);
        }

        var grace = StopGracePeriod.Seconds(inspect, _factory.RequestTimeout);
        // Not cancellable by the caller: a restart request aborted half-way may leave the container stopped.
        using (var bounded = new CancellationTokenSource(_factory.RequestTimeout))
        {
            await client.Containers.RestartContainerAsync(inspect.ID, new ContainerRestartParameters { WaitBeforeKillSeconds = grace }, bounded.Token)
                .ConfigureAwait(false);
        }

        // Same as a recreate: a container already failing its healthcheck is only held to running and stable.
        var requireHealthy = ContainerReadiness.WasHealthy(inspect);
        var notReady = await ContainerReadiness.WaitAsync(client, inspect.ID, requireHealthy, _readyTimeout, ct).ConfigureAwait(false);
        var note = requireHealthy ? "" : $" (running and stable, but not waited for to become healthy: it was already {inspect.State?.Health?.Status})";
        return notReady is null
            ? new ContainerOutcome(container.Consumer, container.Name, inspect.ID, ContainerAction.Restarted, $"restarted{note}: {why}", null)
            : new ContainerOutcome(container.Consumer, container.Name, inspect.ID, ContainerAction.Failed,
                $"restarted because {why}, but it was {notReady}", $"docker logs {container.Name} shows why it does not come up");
    }

    private List<ContainerOutcome> EveryConsumerFailed(string reason, string fix)
    {
        var outcomes = _finder.ConsumerNames.Select(n => new ContainerOutcome(n, null, null, ContainerAction.Failed, reason, fix)).ToList();
        outcomes.ForEach(Log);
        return outcomes;
    }

    /// <summary>A failed consumer is an error of its own id, so `journalctl -p warning` shows it; the rest is information.</summary>
    private void Log(ContainerOutcome outcome)
    {
        if (outcome.Action == ContainerAction.Failed)
        {
            LogFailed(_logger, outcome.Consumer, outcome.ContainerName, outcome.Reason, outcome.Fix);
        }
        else
        {
            LogOutcome(_logger, outcome.Consumer, outcome.ContainerName, outcome.Action, outcome.Reason);
        }
    }
}
