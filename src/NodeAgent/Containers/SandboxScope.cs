using Docker.DotNet.Models;

using NodeAgent.Configuration;

namespace NodeAgent.Containers;

/// <summary>
/// Which containers a sandboxed run (--root DIR: demo, tests, trying a config) may touch or judge. Containers are
/// matched by name, and a sandbox shares the host's daemon, so without this rule `apply --root` would restart or
/// recreate the host's real consumers with the sandbox's credentials. The rule: with a sandbox root, a container
/// belongs to the run only if it bind-mounts something under that root (Mounts[].Type == "bind",
/// Mounts[].Source == ROOT or below it); everything else is the host's and is left alone. Without a root every
/// matching container counts, as before.
/// </summary>
internal static class SandboxScope
{
    /// <returns>null when the container belongs to the run; otherwise why it is left alone.</returns>
    public static string? OutsideReason(ContainerInspectResponse inspect, string? sandboxRoot)
    {
        if (string.IsNullOrEmpty(sandboxRoot))
        {
            return null;
        }

        var root = HostPath.Normalize(sandboxRoot);
        var inside = (inspect.Mounts ?? []).Any(m =>
            m.Type == "bind" && !string.IsNullOrEmpty(m.Source) && HostPath.IsSameOrUnder(HostPath.Normalize(m.Source), root));
        return inside ? null : $"not in the sandbox: it mounts nothing under {root}";
    }
}
