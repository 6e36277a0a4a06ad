using Docker.DotNet;
using Docker.DotNet.Models;

using NodeAgent.Configuration;

namespace NodeAgent.Containers;

public enum ContainerCredentialStatus
{
    /// <summary>Running, stable, and every credential it reads is the current one.</summary>
    Current,

    /// <summary>Its environment differs from docker.env, or it started before a file it mounts was rewritten.</summary>
    Stale,

    /// <summary>Running, but reads neither docker.env variables nor a mounted credential file.</summary>
    NoCredentials,

    /// <summary>Not running (and not restarting).</summary>
    Stopped,

    /// <summary>State.Restarting, or it restarted by itself within the stability window.</summary>
    RestartLooping,

    /// <summary>Running but paused: its processes are frozen.</summary>
    Paused,

    /// <summary>Running, but its healthcheck does not pass (unhealthy, or still starting).</summary>
    Unhealthy,

    NotFound,

    /// <summary>Docker itself could not be asked.</summary>
    Unreachable,
}

/// <summary>What verify expects the consumers to see.</summary>
/// <param name="DesiredEnvironment">Variables of the current docker.env (values are only fingerprinted).</param>
/// <param name="CredentialFiles">Real paths of the current credential files (re-rooted under a sandbox root).</param>
/// <param name="SandboxRoot">The --root of a sandboxed run, or null on a real host: with a root, containers that
/// bind-mount nothing under it are the host's and are not judged (<see cref="SandboxScope"/>).</param>
public sealed record CurrentCredentials(
    IReadOnlyDictionary<string, string> DesiredEnvironment,
    IReadOnlyList<string> CredentialFiles,
    string? SandboxRoot = null)
{
    /// <summary>Variables no consumer may have (the keys, on an instance-profile host).</summary>
    public IReadOnlyList<string> WithdrawnVariables { get; init; } = [];
}

/// <summary>One consumer container as verify reports it. Detail and Fix name variables and paths, never values.</summary>
public sealed record ContainerCredentialCheck(
    string Consumer,
    string? ContainerName,
    string? ContainerId,
    ContainerCredentialStatus Status,
    string Detail,
    string? Fix)
{
    /// <summary>HostConfig.NetworkMode (host, bridge, a network name, container:ID), when the container was inspected.</summary>
    public string? NetworkMode { get; init; }
}

/// <summary>
/// For verify: does each consumer run, is it stable, and does it see the current credentials? Everything is read
/// from inspect: State (running, restarting, paused, health), RestartCount and StartedAt by the rule apply waits for
/// (<see cref="ContainerReadiness"/>: one inspect, a second only for a container that started within the stability
/// window), Config.Env fingerprints against docker.env, Mounts[] binds of the credential files, and StartedAt against
/// the files' last write.
/// </summary>
public sealed class ContainerCredentialInspector
{
    private readonly DockerClientFactory _factory;
    private readonly ConsumerFinder _finder;
    private readonly TimeSpan _stabilityWindow;
    private readonly TimeProvider _clock;

    /// <param name="stabilityWindow">Default <see cref="ContainerReadiness.StabilityWindow"/>; verify shortens it to fit
    /// a short probe timeout.</param>
    /// <param name="clock">The clock StartedAt is compared with (the daemon runs on this host).</param>
    public ContainerCredentialInspector(
        DockerClientFactory factory, ContainersOptions options, TimeSpan? stabilityWindow = null, TimeProvider? clock = null)
    {
        _factory = factory;
        _finder = new ConsumerFinder(factory, options);
        _stabilityWindow = stabilityWindow ?? ContainerReadiness.StabilityWindow;
        _clock = clock ?? TimeProvider.System;
    }

    public async Task<IReadOnlyList<ContainerCredentialCheck>> InspectAsync(CurrentCredentials current, CancellationToken ct)
    {
        DockerClient client;
        try
        {
            client = await _factory.ConnectAsync(ct).ConfigureAwait(false);
        }
        catch (DockerUnavailableException e)
        {
            return _finder.ConsumerNames
                .Select(n => new ContainerCredentialCheck(n, null, null, ContainerCredentialStatus.Unreachable, e.Reason, e.Fix))
                .ToList();
        }

        using (client)
        {
            try
            {
                return await InspectAsync(client, current, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                var unavailable = DockerFailureDescriber.Unavailable(e, _factory);
                return _finder.ConsumerNames
                    .Select(n => new ContainerCredentialCheck(n, null, null, ContainerCredentialStatus.Unreachable, unavailable.Reason, unavailable.Fix))
                    .ToList();
            }
        }
    }

    private static ContainerCredentialCheck Judge(
        ConsumerContainer container, ContainerInspectResponse before, ContainerInspectResponse after, ConsumerUpdateRequest request)
    {
        ContainerCredentialCheck Check(ContainerCredentialStatus status, string detail, string? fix) =>
            new(container.Consumer, container.Name, after.ID, status, detail, fix) { NetworkMode = after.HostConfig?.NetworkMode };

        // The rule apply waits for: restarting, or restarted since the first look, is a loop; then stopped, paused and
        // a failing healthcheck, each with its own fix.
        var restarted = ReferenceEquals(before, after) ? null : ContainerReadiness.RestartedBetween(before, after);
        if (restarted is not null || after.State is { Restarting: true })
        {
            return Check(ContainerCredentialStatus.RestartLooping,
                $"restart-looping: {restarted ?? $"restarting (its process keeps exiting; restarted {after.RestartCount} times, last exit code {after.State?.ExitCode})"}",
                $"docker logs {container.Name} shows why it keeps exiting (often credentials it cannot use)");
        }

        if (after.State is not { Running: true })
        {
            return Check(ContainerCredentialStatus.Stopped, $"not running ({after.State?.Status}, exit code {after.State?.ExitCode})",
                $"docker start {container.Name} if it should run");
        }

        if (after.State.Paused)
        {
            return Check(ContainerCredentialStatus.Paused, "paused: its processes are frozen, so it does no work",
                $"docker unpause {container.Name} once it may run again");
        }

        if (after.State.Health is { Status: not "healthy" } health)
        {
            return Check(ContainerCredentialStatus.Unhealthy,
                health.Status == "starting" ? "running, but its healthcheck has not passed yet (starting)" : $"running, but its healthcheck fails ({health.Status}, {health.FailingStreak} failures in a row)",
                $"docker inspect --format '{{{{json .State.Health}}}}' {container.Name} shows the healthcheck's output");
        }

        var consumption = CredentialConsumption.Analyze(after, request);
        if (consumption.EnvironmentIsStale)
        {
            return Check(ContainerCredentialStatus.Stale, consumption.DescribeEnvironmentAgainstDockerEnv(),
                "nodeagent apply (it recreates the container with the current docker.env)");
        }

        var startedAt = ContainerReadiness.StartedAt(after)?.UtcDateTime;
        var outdated = consumption.ChangedMounts
            .Where(m => startedAt is { } s && File.Exists(m.ChangedPath) && File.GetLastWriteTimeUtc(m.ChangedPath) > s)
            .ToList();
        if (outdated.Count > 0)
        {
            return Check(ContainerCredentialStatus.Stale,
                $"started before {string.Join(", ", outdated.Select(m => m.ChangedPath))} was last written, so it may hold the old keys"
                + (outdated.Any(m => !m.IsDirectory) ? " (a single-file bind mount even still shows the old file)" : ""),
                $"docker restart {container.Name}");
        }

        var envNames = (after.Config?.Env ?? [])
            .Select(e => EnvironmentEntry.Parse(e).Name)
            .Where(request.DesiredEnvironment.ContainsKey)
            .Where(n => n.StartsWith("AWS_", StringComparison.Ordinal))
            .ToList();
        var sees = new List<string>();
        if (envNames.Count > 0)
        {
            sees.Add($"environment matches docker.env ({string.Join(", ", envNames)})");
        }

        foreach (var mount in consumption.ChangedMounts)
        {
            sees.Add($"bind-mounts {mount.Source} at {mount.Destination} {(mount.ReadOnly ? "read-only" : "read-write")}");
        }

        if (sees.Count == 0)
        {
            return Check(ContainerCredentialStatus.NoCredentials,
                "running, but reads neither docker.env's AWS variables nor a bind mount of the credential files",
                "give it env_file: docker.env or a read-only bind mount of the .aws directory");
        }

        var writable = consumption.ChangedMounts.Where(m => !m.ReadOnly).ToList();
        return Check(ContainerCredentialStatus.Current, "sees the current credentials: " + string.Join("; ", sees),
            writable.Count > 0 ? $"mount {string.Join(", ", writable.Select(m => m.Source))} read-only (:ro): the container never needs to write credentials" : null);
    }

    private async Task<IReadOnlyList<ContainerCredentialCheck>> InspectAsync(DockerClient client, CurrentCredentials current, CancellationToken ct)
    {
        var matched = await _finder.FindAsync(client, ct).ConfigureAwait(false);
        var first = new Dictionary<string, ContainerInspectResponse>(StringComparer.Ordinal);
        var found = new List<ConsumerContainer>();
        var outsideSandbox = new List<ConsumerContainer>();
        foreach (var container in matched)
        {
            var inspect = await client.Containers.InspectContainerAsync(container.Id, ct).ConfigureAwait(false);
            if (SandboxScope.OutsideReason(inspect, current.SandboxRoot) is not null)
            {
                outsideSandbox.Add(container);
                continue;
            }

            first[container.Id] = inspect;
            found.Add(container);
        }

        // Only a container that started within the window can still be caught in a crash loop; one look at the end of
        // its window tells. The others are decided by their first inspect, so a host of stable consumers costs no wait.
        var looks = first.ToDictionary(p => p.Key, p => ContainerReadiness.Look(p.Value, requireHealthy: true, _clock.GetUtcNow(), _stabilityWindow));
        var young = looks.Where(l => l.Value.Verdict == ReadinessVerdict.Young).ToList();
        if (young.Count > 0)
        {
            await Task.Delay(young.Max(l => l.Value.Remaining), _clock, ct).ConfigureAwait(false);
        }

        var request = new ConsumerUpdateRequest(current.CredentialFiles, current.DesiredEnvironment, current.SandboxRoot)
        {
            WithdrawnVariables = current.WithdrawnVariables,
        };
        var checks = new List<ContainerCredentialCheck>();
        foreach (var consumer in _finder.ConsumerNames)
        {
            var containers = found.Where(c => c.Consumer == consumer).ToList();
            var hosts = outsideSandbox.Where(c => c.Consumer == consumer).Select(c => c.Name).ToList();
            if (containers.Count == 0 && hosts.Count > 0)
            {
                checks.Add(new ContainerCredentialCheck(consumer, null, null, ContainerCredentialStatus.NotFound,
                    $"none in the sandbox: {string.Join(", ", hosts)} {(hosts.Count == 1 ? "mounts" : "mount")} nothing under {current.SandboxRoot}, so {(hosts.Count == 1 ? "it is the host's and is" : "they are the host's and are")} not judged",
                    $"to verify the host's {consumer}, run verify without --root"));
                continue;
            }

            if (containers.Count == 0)
            {
                checks.Add(new ContainerCredentialCheck(consumer, null, null, ContainerCredentialStatus.NotFound,
                    ConsumerFinder.NotFoundReason(consumer), ConsumerFinder.NotFoundFix(consumer)));
                continue;
            }

            foreach (var container in containers)
            {
                var before = first[container.Id];
                var after = before;
                try
                {
                    if (looks[container.Id].Verdict == ReadinessVerdict.Young)
                    {
                        after = await client.Containers.InspectContainerAsync(container.Id, ct).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (DockerFailureDescriber.IsNotFound(e))
                {
                    checks.Add(new ContainerCredentialCheck(consumer, container.Name, container.Id, ContainerCredentialStatus.NotFound,
                        "it was removed while verify looked at it", "run verify again"));
                    continue;
                }

                checks.Add(Judge(container, before, after, request));
            }
        }

        return checks;
    }
}
