namespace NodeAgent.Containers;

public enum ContainerAction
{
    /// <summary>Consumes nothing that changed, is stopped and will read the new files when started, or (in a sandboxed
    /// run) is a host container outside the sandbox.</summary>
    Unchanged,

    /// <summary>Same container, new process: it re-reads its bind-mounted files.</summary>
    Restarted,

    /// <summary>New container with the same name and configuration and only the stale variables replaced.</summary>
    Recreated,

    /// <summary>No container carries this consumer's name or compose labels.</summary>
    NotFound,

    /// <summary>Docker unusable or the container did not come back; the previous container is kept.</summary>
    Failed,
}

/// <summary>What was just written, as the containers see it.</summary>
/// <param name="ChangedPaths">Real paths just written (re-rooted under a sandbox root when there is one), so they
/// compare equal to bind-mount sources.</param>
/// <param name="DesiredEnvironment">Variables of the freshly rendered docker.env. Values are secrets: they are only
/// fingerprinted and written into recreated containers, never logged or reported.</param>
/// <param name="SandboxRoot">The --root of a sandboxed run, or null on a real host: with a root, only containers
/// that bind-mount something under it are updated (<see cref="SandboxScope"/>); the host's are left alone.</param>
public sealed record ConsumerUpdateRequest(
    IReadOnlyList<string> ChangedPaths,
    IReadOnlyDictionary<string, string> DesiredEnvironment,
    string? SandboxRoot = null)
{
    /// <summary>Variables a container must not have (the keys, on an instance-profile host): one that has them is
    /// recreated without them, since a key in the environment wins over the instance role.</summary>
    public IReadOnlyList<string> WithdrawnVariables { get; init; } = [];

    /// <summary>Of <see cref="ChangedPaths"/>, the ones removed rather than rewritten (the credentials file on the instance profile).</summary>
    public IReadOnlyList<string> RemovedPaths { get; init; } = [];
}

/// <summary>One line of the restart step's report. Reason and Fix name variables and paths, never values.</summary>
public sealed record ContainerOutcome(
    string Consumer,
    string? ContainerName,
    string? ContainerId,
    ContainerAction Action,
    string Reason,
    string? Fix);
