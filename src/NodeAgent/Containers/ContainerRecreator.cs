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
    private readonly int _stopWaitSeconds;

    public ContainerRecreator(IDockerClient client, TimeSpan readyTimeout, TimeSpan requestTimeout)
    {
        _client = client;
        _readyTimeout = readyTimeout;
        // A stop request lasts as long as the container's grace period; keep it inside the request timeout.
        _stopWaitSeconds = (int)Math.Clamp(requestTimeout.TotalSeconds - 5, 1, 10);
        // Every request is already bounded by the client's timeout; this bounds the swap as a whole (stop, rename,
        // create, connects, start, remove) should the daemon answer each request just in time.
        _swapBound = requestTimeout * 6;
    }

    /// <summary>Test seam: runs after each swap step, on the swap's path (a test cancels the caller's token here to
    /// prove that an interruption at that point rolls back).</summary>
    internal Func<RecreateStep, Task>? AfterStep { get; init; }

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
            failure = DockerFailureDescriber.Describe(e);
            await RollBackAsync(old.ID, newId, name, wasRunning).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            return Failed(container, old.ID, $"recreate failed ({failure}) although {why}; the previous container was put back",
                $"docker logs {name}; fix what stops the new container, then apply again");
        }

        if (failure is not null)
        {
            await RollBackAsync(old.ID, newId, name, wasRunning).ConfigureAwait(false);
            return Failed(container, old.ID, $"recreate failed: the new container was {failure}; the previous container was put back, still with stale credentials ({why})",
                $"docker logs {name} shows why; fix it, then apply again");
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

    // Between two steps of the swap: a caller that has gone away gets a rollback rather than a new container.
    private async Task StepDoneAsync(RecreateStep step, CancellationToken ct)
    {
        if (AfterStep is { } hook)
        {
            await hook(step).ConfigureAwait(false);
        }

        ct.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Config + HostConfig + NetworkingConfig of the original, field by field, with only the environment replaced.
    /// </summary>
    internal async Task<CreateContainerParameters> CloneAsync(
        ContainerInspectResponse old, string name, IReadOnlyList<string> environment, CancellationToken ct)
    {
        var config = old.Config ?? new ContainerConfig();
        var shortId = old.ID.Length >= 12 ? old.ID[..12] : old.ID;
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

        host.Binds = binds.Count > 0 ? binds : null!;
        if (SharesAnotherContainersNetwork(old))
        {
            // Inspect reports these as empty lists/false, which Docker still refuses next to "container:<id>".
            host.DNS = null!;
            host.DNSSearch = null!;
            host.DNSOptions = null!;
            host.ExtraHosts = null!;
            host.PortBindings = null!;
            host.PublishAllPorts = false;
        }

        return host;
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

    private async Task StopAsync(ContainerInspectResponse old, CancellationToken ct)
    {
        var grace = (int)Math.Min(old.Config?.StopTimeout?.TotalSeconds ?? _stopWaitSeconds, _stopWaitSeconds);
        await _client.Containers.StopContainerAsync(old.ID, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)grace }, ct)
            .ConfigureAwait(false);
    }

    /// <summary>Put the original back under its name, whatever state the clone is in. Bounded, and not cancellable by
    /// the caller: a half-finished swap is worse than a late one.</summary>
    private async Task RollBackAsync(string oldId, string? newId, string name, bool start)
    {
        using var bounded = new CancellationTokenSource(_readyTimeout + TimeSpan.FromSeconds(30));
        var ct = bounded.Token;
        if (newId is null)
        {
            // A create that timed out may still have made the clone: NAME was free once the original was parked,
            // so whatever holds it now is that clone and must go before the original can have its name back.
            await Try(async () =>
            {
                var holder = await _client.Containers.InspectContainerAsync(name, ct).ConfigureAwait(false);
                if (holder.ID != oldId)
                {
                    await _client.Containers.RemoveContainerAsync(holder.ID, new ContainerRemoveParameters { Force = true }, ct).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }
        else
        {
            await Try(() => _client.Containers.RemoveContainerAsync(newId, new ContainerRemoveParameters { Force = true }, ct)).ConfigureAwait(false);
        }

        await Try(() => _client.Containers.RenameContainerAsync(oldId, new ContainerRenameParameters { NewName = name }, ct)).ConfigureAwait(false);
        if (start)
        {
            await Try(() => _client.Containers.StartContainerAsync(oldId, new ContainerStartParameters(), ct)).ConfigureAwait(false);
        }

        static async Task Try(Func<Task> step)
        {
            try
            {
                await step().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Best effort: each step is independent, and the outcome already says the recreate failed.
            }
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

    private static ContainerOutcome Failed(ConsumerContainer c, string id, string reason, string fix) =>
        new(c.Consumer, c.Name, id, ContainerAction.Failed, reason, fix);
}
