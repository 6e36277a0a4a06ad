using System.Diagnostics.CodeAnalysis;

using Docker.DotNet;
using Docker.DotNet.Models;

namespace NodeAgent.Containers;

/// <summary>The steps of a swap, in order; each is reported to <see cref="ContainerRecreator.AfterStep"/> once done.</summary>
internal enum RecreateStep
{
    /// <summary>The original is stopped (skipped for a container that was not running).</summary>
    Stopped,

    /// <summary>The original is parked under NAME-nodeagent-old.</summary>
    Parked,

    /// <summary>The clone exists under NAME (and is on every network of the original).</summary>
    Created,

    /// <summary>The clone was started (skipped for a container that was not running); readiness is next.</summary>
    Started,
}

/// <summary>
/// Replaces a container whose environment is stale (Docker never re-reads env files on restart) with a clone that
/// differs only in the changed variables. The swap never loses the consumer: the original is stopped and parked
/// under NAME-nodeagent-old, the clone takes NAME, and only once the clone runs (and is healthy) is the original
/// removed; if the clone fails it is removed and the original renamed back and started.
/// Once the original is being stopped, the swap is finished or rolled back, never abandoned: every Docker request
/// of the swap runs on a bounded token the caller cannot cancel (a request aborted half-way leaves the daemon in an
/// unknown state, e.g. a clone created under NAME whose id we never learnt), and the caller's cancellation is
/// honoured between steps by rolling back, then rethrown.
/// </summary>
internal sealed class ContainerRecreator
{
    private readonly IDockerClient _client;
    private readonly TimeSpan _readyTimeout;
    private readonly TimeSpan _swapBound;
    private readonly TimeSpan _requestTimeout;

    public ContainerRecreator(IDockerClient client, TimeSpan readyTimeout, TimeSpan requestTimeout)
    {
        _client = client;
        _readyTimeout = readyTimeout;
        _requestTimeout = requestTimeout;
        // Every request is already bounded by the client's timeout; this bounds the swap as a whole (stop, rename,
        // create, connects, start, remove) should the daemon answer each request just in time.
        _swapBound = requestTimeout * 6;
    }

    /// <summary>Test seam: runs after each swap step, on the swap's path (a test cancels the caller's token here to
    /// prove that an interruption at that point rolls back).</summary>
    internal Func<RecreateStep, Task>? AfterStep { get; init; }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Once the original is stopped, any failure of a swap request must lead to a rollback and an outcome: an exception escaping here would leave the consumer stopped or parked.")]
    public async Task<ContainerOutcome> RecreateAsync(
        ConsumerContainer container, ContainerInspectResponse old, IReadOnlyList<string> environment, string why, CancellationToken ct)
    {
        var name = container.Name;
        var parked = name + ConsumerFinder.ParkedSuffix;
        if (await ExistsAsync(parked, ct).ConfigureAwait(false))
        {
            return Failed(container, old.ID,
                $"not recreated although {why}: {parked} exists, left by an interrupted earlier recreate",
                $"check which of {name} and {parked} is current (docker inspect), remove the other (docker rm), then apply again");
        }

        var parameters = await CloneAsync(old, name, environment, ct).ConfigureAwait(false);
        var extraNetworks = SecondaryNetworks(old);
        var wasRunning = old.State is { Running: true } or { Restarting: true };
        // An original that already failed its healthcheck cannot be expected to pass it with new credentials; holding
        // the clone to it would roll back every apply and leave the old keys in place for good.
        var requireHealthy = ContainerReadiness.WasHealthy(old);

        // Nothing has changed up to here, so the caller's cancellation was simply honoured; from here on it is not.
        ct.ThrowIfCancellationRequested();
        using var swap = new CancellationTokenSource(_swapBound);
        string? newId = null;
        string? failure;
        try
        {
            if (wasRunning)
            {
                await StopAsync(old, swap.Token).ConfigureAwait(false);
                await StepDoneAsync(RecreateStep.Stopped, ct).ConfigureAwait(false);
            }

            await _client.Containers.RenameContainerAsync(old.ID, new ContainerRenameParameters { NewName = parked }, swap.Token)
                .ConfigureAwait(false);
            await StepDoneAsync(RecreateStep.Parked, ct).ConfigureAwait(false);

            newId = (await _client.Containers.CreateContainerAsync(parameters, swap.Token).ConfigureAwait(false)).ID;
            foreach (var (network, endpoint) in extraNetworks)
            {
                // API 1.41 daemons accept one endpoint at create; the others are connected before start.
                await _client.Networks.ConnectNetworkAsync(
                    network, new NetworkConnectParameters { Container = newId, EndpointConfig = endpoint }, swap.Token).ConfigureAwait(false);
            }

            await StepDoneAsync(RecreateStep.Created, ct).ConfigureAwait(false);
            failure = null;
            if (wasRunning)
            {
                await _client.Containers.StartContainerAsync(newId, new ContainerStartParameters(), swap.Token).ConfigureAwait(false);
                await StepDoneAsync(RecreateStep.Started, ct).ConfigureAwait(false);

                // Only inspects: safe to abandon on the caller's cancellation, which then rolls back below.
                failure = await ContainerReadiness.WaitAsync(_client, newId, requireHealthy, _readyTimeout, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            var rollback = await RollBackAsync(old.ID, newId, name, wasRunning).ConfigureAwait(false);
            if (ct.IsCancellationRequested)
            {
                // The run ends here; a rollback that did not complete must still reach the operator, so it travels
                // in the cancellation's message (the report is never written for an interrupted run).
                throw rollback is null
                    ? new OperationCanceledException(ct)
                    : new OperationCanceledException($"interrupted while recreating {name}, and {rollback.What}; fix: {rollback.Fix}", e, ct);
            }

            return RolledBack(container, old.ID, $"recreate failed ({DockerFailureDescriber.Describe(e)}) although {why}", rollback,
                $"docker logs {name}; fix what stops the new container, then apply again");
        }

        if (failure is not null)
        {
            var rollback = await RollBackAsync(old.ID, newId, name, wasRunning).ConfigureAwait(false);
            return RolledBack(container, old.ID, $"recreate failed: the new container was {failure}", rollback,
                $"docker logs {name} shows why; fix it, then apply again",
                $", still with stale credentials ({why})");
        }

        // The clone runs: the swap is complete once the parked original is gone, so that last step is not abandoned
        // either (a leftover NAME-nodeagent-old makes the next apply refuse to recreate).
        var note = !wasRunning ? " (left stopped, as it was)"
            : requireHealthy ? ""
            : $" (running and stable, but not waited for to become healthy: the previous container was already {old.State?.Health?.Status})";
        try
        {
            await _client.Containers.RemoveContainerAsync(old.ID, new ContainerRemoveParameters { Force = true }, swap.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return new ContainerOutcome(container.Consumer, name, newId, ContainerAction.Recreated,
                $"recreated{note}: {why}; but the previous container {parked} could not be removed: {DockerFailureDescriber.Describe(e)}",
                $"docker rm -f {parked}");
        }

        return new ContainerOutcome(container.Consumer, name, newId, ContainerAction.Recreated, $"recreated{note}: {why}", null);
    }

    /// <summary>
    /// Config + HostConfig + NetworkingConfig of the original, field by field, with only the environment replaced.
    /// </summary>
    internal async Task<CreateContainerParameters> CloneAsync(
        ContainerInspectResponse old, string name, IReadOnlyList<string> environment, CancellationToken ct)
    {
        var config = old.Config ?? new ContainerConfig();
        var shortId = ShortId(old.ID);
        // A container joined to another's network namespace inherits hostname, DNS, ports and MAC from it; Docker
        // answers 400 "conflicting options" when a create sets any of them together with that mode. (Config.MacAddress
        // is not in the client's model, so it is never copied.)
        var sharesNetwork = SharesAnotherContainersNetwork(old);
        return new CreateContainerParameters
        {
            Name = name,
            // Docker's default hostname is the container's short id; copying it would name the clone after the original.
            Hostname = sharesNetwork || config.Hostname == shortId ? null! : config.Hostname,
            Domainname = sharesNetwork ? null! : config.Domainname,
            User = config.User,
            AttachStdin = config.AttachStdin,
            AttachStdout = config.AttachStdout,
            AttachStderr = config.AttachStderr,
            ExposedPorts = sharesNetwork ? null! : config.ExposedPorts,
            Tty = config.Tty,
            OpenStdin = config.OpenStdin,
            StdinOnce = config.StdinOnce,
            Env = environment.ToList(),
            Cmd = config.Cmd,
            Healthcheck = config.Healthcheck,
            ArgsEscaped = config.ArgsEscaped,
            Image = await ImageReferenceAsync(old, ct).ConfigureAwait(false),
            Volumes = config.Volumes,
            WorkingDir = config.WorkingDir,
            Entrypoint = config.Entrypoint,
            NetworkDisabled = config.NetworkDisabled,
            OnBuild = config.OnBuild,
            Labels = config.Labels,
            StopSignal = config.StopSignal,
            StopTimeout = config.StopTimeout,
            Shell = config.Shell,
            HostConfig = CloneHostConfig(old),
            NetworkingConfig = PrimaryNetwork(old),
        };
    }

    // A new HostConfig, every field of the original's copied (the inspect response stays as Docker sent it: the
    // rollback and the report still read it). Only two things differ: anonymous volumes are bound by name, and the
    // fields Docker refuses next to network_mode container:<id> are left out.
    private static HostConfig CloneHostConfig(ContainerInspectResponse old)
    {
        var host = old.HostConfig ?? new HostConfig();
        // Anonymous volumes (Mounts[].Type == "volume" not declared in Binds or HostConfig.Mounts) would be
        // created afresh for the clone; bind them by name so the clone keeps the data.
        var binds = host.Binds?.ToList() ?? [];
        var declared = new HashSet<string>(
            binds.Select(b => b.Split(':') is { Length: >= 2 } p ? p[1] : b)
                .Concat(host.Mounts?.Select(m => m.Target ?? "") ?? []),
            StringComparer.Ordinal);
        foreach (var mount in old.Mounts ?? [])
        {
            if (mount.Type == "volume" && !string.IsNullOrEmpty(mount.Name) && !declared.Contains(mount.Destination))
            {
                binds.Add($"{mount.Name}:{mount.Destination}{(mount.RW ? "" : ":ro")}");
            }
        }

        // Inspect reports DNS, ports and extra hosts as empty lists/false, which Docker still refuses next to
        // "container:<id>".
        var sharesNetwork = SharesAnotherContainersNetwork(old);
        return new HostConfig
        {
            Binds = binds.Count > 0 ? binds : null!,
            ContainerIDFile = host.ContainerIDFile,
            LogConfig = host.LogConfig,
            NetworkMode = host.NetworkMode,
            PortBindings = sharesNetwork ? null! : host.PortBindings,
            RestartPolicy = host.RestartPolicy,
            AutoRemove = host.AutoRemove,
            VolumeDriver = host.VolumeDriver,
            VolumesFrom = host.VolumesFrom,
            ConsoleSize = host.ConsoleSize,
            Annotations = host.Annotations,
            CapAdd = host.CapAdd,
            CapDrop = host.CapDrop,
            CgroupnsMode = host.CgroupnsMode,
            DNS = sharesNetwork ? null! : host.DNS,
            DNSOptions = sharesNetwork ? null! : host.DNSOptions,
            DNSSearch = sharesNetwork ? null! : host.DNSSearch,
            ExtraHosts = sharesNetwork ? null! : host.ExtraHosts,
            GroupAdd = host.GroupAdd,
            IpcMode = host.IpcMode,
            Cgroup = host.Cgroup,
            Links = host.Links,
            OomScoreAdj = host.OomScoreAdj,
            PidMode = host.PidMode,
            Privileged = host.Privileged,
            PublishAllPorts = !sharesNetwork && host.PublishAllPorts,
            ReadonlyRootfs = host.ReadonlyRootfs,
            SecurityOpt = host.SecurityOpt,
            StorageOpt = host.StorageOpt,
            Tmpfs = host.Tmpfs,
            UTSMode = host.UTSMode,
            UsernsMode = host.UsernsMode,
            ShmSize = host.ShmSize,
            Sysctls = host.Sysctls,
            Runtime = host.Runtime,
            Isolation = host.Isolation,
            CPUShares = host.CPUShares,
            Memory = host.Memory,
            NanoCPUs = host.NanoCPUs,
            CgroupParent = host.CgroupParent,
            BlkioWeight = host.BlkioWeight,
            CPUPeriod = host.CPUPeriod,
            CPUQuota = host.CPUQuota,
            CPURealtimePeriod = host.CPURealtimePeriod,
            CPURealtimeRuntime = host.CPURealtimeRuntime,
            CpusetCpus = host.CpusetCpus,
            CpusetMems = host.CpusetMems,
            Devices = host.Devices,
            DeviceCgroupRules = host.DeviceCgroupRules,
            DeviceRequests = host.DeviceRequests,
            MemoryReservation = host.MemoryReservation,
            MemorySwap = host.MemorySwap,
            MemorySwappiness = host.MemorySwappiness,
            OomKillDisable = host.OomKillDisable,
            PidsLimit = host.PidsLimit,
            Ulimits = host.Ulimits,
            CPUCount = host.CPUCount,
            CPUPercent = host.CPUPercent,
            IOMaximumIOps = host.IOMaximumIOps,
            IOMaximumBandwidth = host.IOMaximumBandwidth,
            Mounts = host.Mounts,
            MaskedPaths = host.MaskedPaths,
            ReadonlyPaths = host.ReadonlyPaths,
            Init = host.Init,
        };
    }

    private static bool SharesAnotherContainersNetwork(ContainerInspectResponse old) =>
        (old.HostConfig?.NetworkMode ?? "").StartsWith("container:", StringComparison.Ordinal);

    private static bool HasOwnNetworkStack(ContainerInspectResponse old)
    {
        var mode = old.HostConfig?.NetworkMode ?? "";
        return mode is "host" or "none" || mode.StartsWith("container:", StringComparison.Ordinal);
    }

    private static string PrimaryNetworkName(ContainerInspectResponse old)
    {
        var mode = old.HostConfig?.NetworkMode;
        return string.IsNullOrEmpty(mode) || mode == "default" ? "bridge" : mode;
    }

    private static NetworkingConfig? PrimaryNetwork(ContainerInspectResponse old)
    {
        if (HasOwnNetworkStack(old) || old.NetworkSettings?.Networks is not { Count: > 0 } networks)
        {
            return null;
        }

        var primary = PrimaryNetworkName(old);
        return networks.TryGetValue(primary, out var endpoint)
            ? new NetworkingConfig { EndpointsConfig = new Dictionary<string, EndpointSettings> { [primary] = Configured(endpoint, old.ID) } }
            : null;
    }

    private static List<(string Network, EndpointSettings Endpoint)> SecondaryNetworks(ContainerInspectResponse old)
    {
        if (HasOwnNetworkStack(old) || old.NetworkSettings?.Networks is not { Count: > 0 } networks)
        {
            return [];
        }

        var primary = PrimaryNetworkName(old);
        return networks.Where(n => n.Key != primary)
            .OrderBy(n => n.Key, StringComparer.Ordinal)
            .Select(n => (n.Key, Configured(n.Value, old.ID)))
            .ToList();
    }

    // Only what the user configured: NetworkID, EndpointID, addresses and DNSNames are the runtime state of the
    // original, and the short-id alias Docker adds would point at the removed container.
    private static EndpointSettings Configured(EndpointSettings endpoint, string oldId)
    {
        var aliases = endpoint.Aliases?.Where(a => !oldId.StartsWith(a, StringComparison.Ordinal)).ToList();
        return new EndpointSettings
        {
            IPAMConfig = endpoint.IPAMConfig,
            Links = endpoint.Links,
            Aliases = aliases is { Count: > 0 } ? aliases : null!,
            DriverOpts = endpoint.DriverOpts,
        };
    }

    /// <summary>The reason and fix of a failed recreate, which say whether the previous container is really back:
    /// an operator told "put back" when it is still parked or stopped would leave the consumer down.</summary>
    private static ContainerOutcome RolledBack(
        ConsumerContainer c, string id, string failed, RollbackFailure? rollback, string fix, string stillStale = "")
    {
        if (rollback is null)
        {
            return Failed(c, id, $"{failed}; the previous container was put back{stillStale}", fix);
        }

        return Failed(c, id, $"{failed}; rolling back also failed: {rollback.What}", $"{rollback.Fix}; then {fix}");
    }

    private static string ShortId(string id) => id.Length >= 12 ? id[..12] : id;

    private static ContainerOutcome Failed(ConsumerContainer c, string id, string reason, string fix) =>
        new(c.Consumer, c.Name, id, ContainerAction.Failed, reason, fix);

    // Between two steps of the swap: a caller that has gone away gets a rollback rather than a new container.
    private async Task StepDoneAsync(RecreateStep step, CancellationToken ct)
    {
        if (AfterStep is { } hook)
        {
            await hook(step).ConfigureAwait(false);
        }

        ct.ThrowIfCancellationRequested();
    }

    // The same image, not a newer one that took the tag since: credential rotation must not upgrade software.
    // The tag is kept when it still names that image, so docker ps and compose look the same as before.
    private async Task<string> ImageReferenceAsync(ContainerInspectResponse old, CancellationToken ct)
    {
        var reference = old.Config?.Image;
        if (string.IsNullOrEmpty(reference))
        {
            return old.Image;
        }

        try
        {
            var image = await _client.Images.InspectImageAsync(reference, ct).ConfigureAwait(false);
            return image.ID == old.Image ? reference : old.Image;
        }
        catch (DockerApiException)
        {
            return old.Image;
        }
    }

    private async Task StopAsync(ContainerInspectResponse old, CancellationToken ct)
    {
        var grace = StopGracePeriod.Seconds(old, _requestTimeout);
        await _client.Containers.StopContainerAsync(old.ID, new ContainerStopParameters { WaitBeforeKillSeconds = grace }, ct)
            .ConfigureAwait(false);
    }

    /// <summary>Put the original back under its name, whatever state the clone is in. Bounded, and not cancellable by
    /// the caller: a half-finished swap is worse than a late one. Returns null once the original is back (and started,
    /// when it was running), otherwise the first step that failed and the commands that finish the job by hand; the
    /// steps after a failed one are not tried, since each needs the one before (the name is free, the original holds it).</summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Any failure of a rollback step is reported with the commands that finish it by hand; throwing would lose which step failed.")]
    private async Task<RollbackFailure?> RollBackAsync(string oldId, string? newId, string name, bool start)
    {
        using var bounded = new CancellationTokenSource(_readyTimeout + TimeSpan.FromSeconds(30));
        var ct = bounded.Token;
        var parked = name + ConsumerFinder.ParkedSuffix;
        var startFix = start ? $"; docker start {name}" : "";
        try
        {
            // A create that timed out may still have made the clone: NAME was free once the original was parked,
            // so whatever holds it now (other than the original) is that clone and must go first.
            var holder = newId ?? await HolderAsync(name, ct).ConfigureAwait(false);
            if (holder is not null && holder != oldId)
            {
                await _client.Containers.RemoveContainerAsync(holder, new ContainerRemoveParameters { Force = true }, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            return new RollbackFailure(
                $"the new container under {name} could not be removed ({DockerFailureDescriber.Describe(e)}), so the previous one is still parked as {parked}",
                $"docker rm -f {name}; docker rename {parked} {name}{startFix}");
        }

        ContainerInspectResponse original;
        try
        {
            original = await _client.Containers.InspectContainerAsync(oldId, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (DockerFailureDescriber.IsNotFound(e))
        {
            return new RollbackFailure(
                $"the previous container ({ShortId(oldId)}, parked as {parked}) no longer exists, so no container is named {name}",
                $"recreate {name} from its definition (e.g. docker compose up -d in its project)");
        }
        catch (Exception e)
        {
            return new RollbackFailure(
                $"the previous container ({ShortId(oldId)}) could not be inspected ({DockerFailureDescriber.Describe(e)}); it may still be parked as {parked}",
                $"docker ps -a --filter name={name}; if {parked} is listed: docker rename {parked} {name}{startFix}");
        }

        // Interrupted before it was parked (or the park request was lost): it still has its name.
        if (original.Name.TrimStart('/') != name)
        {
            try
            {
                await _client.Containers.RenameContainerAsync(oldId, new ContainerRenameParameters { NewName = name }, ct).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                return new RollbackFailure(
                    $"the previous container could not be renamed back from {original.Name.TrimStart('/')} to {name} ({DockerFailureDescriber.Describe(e)})",
                    $"docker ps -a --filter name={name} (remove whatever holds {name} if it is not the consumer); docker rename {original.Name.TrimStart('/')} {name}{startFix}");
            }
        }

        if (start)
        {
            try
            {
                await _client.Containers.StartContainerAsync(oldId, new ContainerStartParameters(), ct).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                return new RollbackFailure(
                    $"the previous container is back under {name} but could not be started ({DockerFailureDescriber.Describe(e)})",
                    $"docker start {name}; docker logs {name} if it does not stay up");
            }
        }

        return null;
    }

    private async Task<string?> HolderAsync(string name, CancellationToken ct)
    {
        try
        {
            return (await _client.Containers.InspectContainerAsync(name, ct).ConfigureAwait(false)).ID;
        }
        catch (Exception e) when (DockerFailureDescriber.IsNotFound(e))
        {
            return null;
        }
    }

    private async Task<bool> ExistsAsync(string name, CancellationToken ct)
    {
        try
        {
            await _client.Containers.InspectContainerAsync(name, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (DockerFailureDescriber.IsNotFound(e))
        {
            return false;
        }
    }

    /// <summary>The rollback step that failed (what state that leaves) and the commands that complete it.</summary>
    private sealed record RollbackFailure(string What, string Fix);
}
