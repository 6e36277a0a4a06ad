using System.Globalization;

using Docker.DotNet;
using Docker.DotNet.Models;

namespace NodeAgent.Containers;

/// <summary>What one inspect says about a container.</summary>
internal enum ReadinessVerdict
{
    /// <summary>Up, and started longer than the stability window ago: no restart in the window, nothing to wait for.</summary>
    Stable,

    /// <summary>Up, but started within the window: only a second look at the end of the window can tell a crash loop.</summary>
    Young,

    /// <summary>Restarting, paused, or (when health is required) not healthy: may still come up.</summary>
    NotUp,

    /// <summary>Neither running nor restarting: stopped for good.</summary>
    Stopped,
}

/// <param name="Remaining">For <see cref="ReadinessVerdict.Young"/>: how much of the window is left to watch.</param>
internal readonly record struct ReadinessLook(ReadinessVerdict Verdict, string Description, TimeSpan Remaining);

/// <summary>
/// The one rule apply and verify share for "this container is up": State.Running, not State.Restarting, not paused,
/// State.Health.Status "healthy" when it has a healthcheck (Docker sets State.Health only then) and health is
/// required, and stable: no restart within <see cref="StabilityWindow"/>.
/// Stability is read from State.StartedAt, so one inspect decides most containers: Docker's restart manager backs off
/// from 100 ms (doubling up to 1 min, reset after 10 s of uptime), so a container up for longer than the window since
/// its last start has not restarted in it. Only one that started within the window needs a second inspect, at the end
/// of the window, comparing RestartCount and StartedAt: a crash-looping container is caught running between restarts.
/// </summary>
internal static class ContainerReadiness
{
    /// <summary>Longer than the quickest crash-and-restart cycle worth catching (Docker's first back-offs are 0.1–0.8 s).</summary>
    public static readonly TimeSpan StabilityWindow = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>The verdict of one inspect taken at <paramref name="now"/> (the daemon's clock is this host's clock).</summary>
    public static ReadinessLook Look(ContainerInspectResponse inspect, bool requireHealthy, DateTimeOffset now, TimeSpan window)
    {
        var state = inspect.State;
        if (state is { Restarting: true })
        {
            return new(ReadinessVerdict.NotUp,
                $"restarting (its process keeps exiting; restarted {inspect.RestartCount} times, last exit code {state.ExitCode})", TimeSpan.Zero);
        }

        // Between two restarts of its restart policy Docker shows Running and Restarting both true (SetRestarting),
        // never neither: a container that shows neither has stopped for good, e.g. an on-failure policy whose
        // MaximumRetryCount is used up.
        if (state is not { Running: true })
        {
            return new(ReadinessVerdict.Stopped, state is null ? "no state" : $"{state.Status}, exit code {state.ExitCode}", TimeSpan.Zero);
        }

        if (state.Paused)
        {
            return new(ReadinessVerdict.NotUp, "paused (its processes are frozen)", TimeSpan.Zero);
        }

        if (requireHealthy && state.Health is { Status: not "healthy" } health)
        {
            return new(ReadinessVerdict.NotUp, $"running, health {health.Status}", TimeSpan.Zero);
        }

        var description = state.Health is { } h ? $"running, health {h.Status}" : "running";
        // No readable StartedAt: assume it has just started and watch the whole window.
        var up = StartedAt(inspect) is { } started ? now - started : TimeSpan.Zero;
        return up >= window
            ? new(ReadinessVerdict.Stable, description, TimeSpan.Zero)
            : new(ReadinessVerdict.Young, description, window - (up < TimeSpan.Zero ? TimeSpan.Zero : up));
    }

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

    public static DateTimeOffset? StartedAt(ContainerInspectResponse inspect) =>
        DateTimeOffset.TryParse(inspect.State?.StartedAt, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) && t.Year > 1
            ? t
            : null;

    /// <summary>For apply, after it started or restarted the container: polls until it is up and stable. A container
    /// just (re)started is always young, so this always watches the window it exists for.</summary>
    /// <returns>null when ready, otherwise why not, to follow "the container was" ("stopped: …", "not ready within …").</returns>
    /// <param name="requireHealthy">false: running and stable is enough even with a failing healthcheck.</param>
    public static async Task<string?> WaitAsync(
        IDockerClient client, string id, bool requireHealthy, TimeSpan timeout, CancellationToken ct, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
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
                var look = Look(inspect, requireHealthy, clock.GetUtcNow(), StabilityWindow);
                if (candidate is not null && RestartedBetween(candidate, inspect) is { } how)
                {
                    restarted = how;
                    last = how;
                    candidate = null;
                }
                else if (look.Verdict == ReadinessVerdict.Stable)
                {
                    return null;
                }
                else if (look.Verdict == ReadinessVerdict.Young)
                {
                    candidate = inspect;
                    await Task.Delay(look.Remaining, clock, deadline.Token).ConfigureAwait(false);
                    continue;
                }
                else
                {
                    candidate = null;
                    last = restarted is null ? look.Description : $"{look.Description}; earlier {restarted}";
                    if (look.Verdict == ReadinessVerdict.Stopped)
                    {
                        return $"stopped: {last}";
                    }
                }

                await Task.Delay(PollInterval, clock, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"not ready within {timeout.TotalSeconds:0.#} s (containers.restart_timeout_seconds): {last}";
        }
    }
}
