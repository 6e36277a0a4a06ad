using Docker.DotNet;
using Docker.DotNet.Models;

namespace NodeAgent.Containers;

/// <summary>
/// The one rule apply and verify share for "this container is up": State.Running and not State.Restarting,
/// State.Health.Status "healthy" when it has a healthcheck (Docker sets State.Health only then) and health is
/// required, and stable: RestartCount and State.StartedAt unchanged across two inspects <see cref="StabilityInterval"/>
/// apart. One look is not enough: a crash-looping container is caught running between two restarts.
/// Polls inspect; the deadline is a cancellation token, so tests never depend on the clock.
/// </summary>
internal static class ContainerReadiness
{
    /// <summary>Longer than the quickest crash-and-restart cycle worth catching; verify samples this far apart too.</summary>
    public static readonly TimeSpan StabilityInterval = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Null when <paramref name="after"/> is the same run as <paramref name="before"/>; otherwise how it
    /// restarted in between (by itself: the caller did not restart it between the two inspects).</summary>
    public static string? RestartedBetween(ContainerInspectResponse before, ContainerInspectResponse after)
    {
        if (after.State is { Restarting: true })
        {
            return $"restarting (its process keeps exiting; restarted {after.RestartCount} times, last exit code {after.State.ExitCode})";
        }

        if (after.RestartCount != before.RestartCount || after.State?.StartedAt != before.State?.StartedAt)
        {
            return $"restarted by itself while watched (restarted {after.RestartCount} times, last exit code {after.State?.ExitCode}): its process keeps exiting";
        }

        return null;
    }

    /// <summary>Whether a container that is about to be replaced or restarted counts on its healthcheck: one that is
    /// already unhealthy (or still "starting", never having passed) cannot be expected to pass it afterwards.</summary>
    public static bool WasHealthy(ContainerInspectResponse inspect) =>
        inspect.State?.Health?.Status is null or "healthy";

    /// <returns>null when ready, otherwise why not, to follow "the container was" ("stopped: …", "not ready within …").</returns>
    /// <param name="requireHealthy">false: running and stable is enough even with a failing healthcheck.</param>
    public static async Task<string?> WaitAsync(IDockerClient client, string id, bool requireHealthy, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var last = "it never reported a state";
        ContainerInspectResponse? candidate = null;
        string? restarted = null;
        try
        {
            while (true)
            {
                var inspect = await client.Containers.InspectContainerAsync(id, deadline.Token).ConfigureAwait(false);
                if (candidate is not null && RestartedBetween(candidate, inspect) is { } how)
                {
                    restarted = how;
                    last = how;
                    candidate = null;
                }
                else if (IsUp(inspect.State, requireHealthy))
                {
                    if (candidate is not null)
                    {
                        return null;
                    }

                    candidate = inspect;
                    await Task.Delay(StabilityInterval, deadline.Token).ConfigureAwait(false);
                    continue;
                }
                else
                {
                    candidate = null;
                    last = restarted is null ? Describe(inspect.State) : $"{Describe(inspect.State)}; earlier {restarted}";
                    // Between two restarts of its restart policy Docker shows Running and Restarting both true
                    // (SetRestarting), never neither: a container that shows neither has stopped for good, e.g. an
                    // on-failure policy whose MaximumRetryCount is used up.
                    if (inspect.State is { Running: false, Restarting: false })
                    {
                        return $"stopped: {last}";
                    }
                }

                await Task.Delay(PollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"not ready within {timeout.TotalSeconds:0.#} s (containers.restart_timeout_seconds): {last}";
        }
    }

    private static bool IsUp(State? state, bool requireHealthy) =>
        state is { Running: true, Restarting: false } &&
        (!requireHealthy || state.Health is null || state.Health.Status == "healthy");

    private static string Describe(State? state) => state switch
    {
        null => "no state",
        { Restarting: true } => "restarting (its process keeps exiting)",
        { Running: true, Health: { } health } => $"running, health {health.Status}",
        { Running: true } => "running",
        _ => $"{state.Status}, exit code {state.ExitCode}",
    };
}
