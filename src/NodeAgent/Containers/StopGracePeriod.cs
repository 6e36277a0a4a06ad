using Docker.DotNet.Models;

namespace NodeAgent.Containers;

/// <summary>
/// How long Docker waits after the stop signal before it kills, for the stop (recreate) and restart requests the
/// agent sends: the container's own StopTimeout (Docker's 10 s default when it sets none), but never so long that
/// the request, which lasts that long, would outlive the client's request timeout and be abandoned half-way.
/// </summary>
internal static class StopGracePeriod
{
    private const double DockerDefaultSeconds = 10;

    // Room left inside the request timeout for the daemon to kill the process and answer.
    private const double AnswerMarginSeconds = 5;

    public static uint Seconds(ContainerInspectResponse container, TimeSpan requestTimeout)
    {
        var limit = Math.Clamp(requestTimeout.TotalSeconds - AnswerMarginSeconds, 1, DockerDefaultSeconds);
        var wanted = container.Config?.StopTimeout?.TotalSeconds ?? DockerDefaultSeconds;
        return (uint)Math.Clamp(wanted, 0, limit);
    }
}
