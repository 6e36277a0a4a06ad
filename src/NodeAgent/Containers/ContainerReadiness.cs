using Docker.DotNet;
using Docker.DotNet.Models;

namespace NodeAgent.Containers;

/// <summary>
/// Waits until a started container is usable: State.Running and not State.Restarting, and State.Health.Status
/// "healthy" when it has a healthcheck (Docker sets State.Health only then). Polls inspect; the deadline is a
/// cancellation token, so tests never depend on the clock.
/// </summary>
internal static class ContainerReadiness
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <returns>null when ready, otherwise why not (for the outcome's reason).</returns>
    public static async Task<string?> WaitAsync(IDockerClient client, string id, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var last = "it never reported a state";
        try
        {
            while (true)
            {
                var inspect = await client.Containers.InspectContainerAsync(id, deadline.Token).ConfigureAwait(false);
                var state = inspect.State;
                if (state is { Running: true, Restarting: false } &&
                    (state.Health is null || state.Health.Status == "healthy"))
                {
                    return null;
                }

                last = Describe(state);
                if (state is { Running: false, Restarting: false } && !WillRestart(inspect))
                {
                    return $"it stopped: {last}";
                }

                await Task.Delay(PollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"it was not ready within {timeout.TotalSeconds:0.#} s (containers.restart_timeout_seconds): {last}";
        }
    }

    private static string Describe(State? state) => state switch
    {
        null => "no state",
        { Restarting: true } => "restarting (its process keeps exiting)",
        { Running: true, Health: { } health } => $"running, health {health.Status}",
        { Running: true } => "running",
        _ => $"{state.Status}, exit code {state.ExitCode}",
    };

    // A container with restart policy always/unless-stopped/on-failure may be between restarts.
    private static bool WillRestart(ContainerInspectResponse inspect) =>
        inspect.HostConfig?.RestartPolicy?.Name is RestartPolicyKind.Always or RestartPolicyKind.UnlessStopped
            or RestartPolicyKind.OnFailure;
}
