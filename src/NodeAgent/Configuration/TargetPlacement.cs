using NodeAgent.Sources;

namespace NodeAgent.Configuration;

/// <summary>
/// Where a target may not be: a system tree (a typo must not make root replace /etc/shadow and give it to ubuntu),
/// the configuration file itself, or a source file. The state directory is kept apart by the loader's overlap rule.
/// </summary>
public static class TargetPlacement
{
    /// <summary>System trees NodeAgent never writes into, except below <see cref="Allowed"/>. "/lib*" covers lib32, lib64, libx32.</summary>
    public static readonly IReadOnlyList<string> SystemTrees = ["/etc", "/usr", "/bin", "/sbin", "/lib*", "/boot", "/proc", "/sys", "/dev", "/run"];

    /// <summary>The documented allow-list inside <see cref="SystemTrees"/>: NodeAgent's own directories.</summary>
    public static readonly IReadOnlyList<string> Allowed = ["/etc/nodeagent", "/run/nodeagent"];

    public static IEnumerable<SourceError> SystemTreeErrors(IEnumerable<(string Key, string Path)> targets, string configFile)
    {
        foreach (var (key, path) in targets)
        {
            var normal = HostPath.Normalize(path);
            if (Allowed.Any(a => HostPath.IsSameOrUnder(normal, a)))
            {
                continue;
            }

            var top = "/" + normal.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            var tree = SystemTrees.FirstOrDefault(t => t == top || (t.EndsWith('*') && top.StartsWith(t[..^1], StringComparison.Ordinal)));
            if (tree is not null)
            {
                yield return new SourceError(configFile, null, $"{key} {normal} is under the system tree {tree}, which NodeAgent never writes",
                    $"point {key} at the file the containers read (e.g. below /opt/sensor); inside system trees only {string.Join(" and ", Allowed)} are allowed");
            }
        }
    }

    /// <summary>Targets (as mapped under --root) that are the configuration file or a source file.</summary>
    public static List<SourceError> OverlapErrors(AgentOptions options, PathMap paths, string configFile, string sourcesDirectory)
    {
        var taken = new List<(string Path, string What)> { (HostPath.Normalize(configFile), "the configuration file") };
        foreach (var source in new[] { options.Sources.CredentialsFile, options.Sources.ConfigFile, options.Sources.EnvFile })
        {
            taken.Add((HostPath.Normalize(Path.Combine(sourcesDirectory, source)), "a source file"));
        }

        var errors = new List<SourceError>();
        foreach (var (key, path) in AgentOptionsLoader.TargetPaths(options))
        {
            var mapped = HostPath.Normalize(paths.Map(path));
            foreach (var (takenPath, what) in taken.Where(t => t.Path == mapped))
            {
                errors.Add(new SourceError(configFile, null, $"{key} {mapped} is {what}: apply would overwrite it with a rendered target",
                    $"give {key} its own path"));
            }
        }

        return errors;
    }
}
