using Docker.DotNet.Models;

using NodeAgent.Configuration;

using Secret = NodeAgent.Sources.Secret;

namespace NodeAgent.Containers;

/// <summary>A bind mount through which a container sees a file that was just rewritten.</summary>
/// <param name="IsDirectory">A directory mount sees the renamed-in file at once; a single-file mount keeps the old inode.</param>
internal sealed record ChangedMount(string Source, string Destination, string ChangedPath, bool IsDirectory, bool ReadOnly);

/// <summary>
/// What one container reads of the credentials, learned from its inspect document rather than guessed from its
/// name: bind mounts (Mounts[].Type == "bind", Mounts[].Source) and environment (Config.Env). Values are compared
/// by fingerprint and never kept in anything printable.
/// </summary>
internal sealed class CredentialConsumption
{
    private const string SessionToken = "AWS_SESSION_TOKEN";
    private const string AccessKeyId = "AWS_ACCESS_KEY_ID";
    private const string Profile = "AWS_PROFILE";
    private const string BucketPrefix = "S3_BUCKET_";

    private CredentialConsumption(
        IReadOnlyList<string> staleVariables,
        IReadOnlyList<string> addedVariables,
        IReadOnlyList<string> removedVariables,
        IReadOnlyList<ChangedMount> changedMounts,
        IReadOnlyList<string> updatedEnvironment)
    {
        StaleVariables = staleVariables;
        AddedVariables = addedVariables;
        RemovedVariables = removedVariables;
        ChangedMounts = changedMounts;
        UpdatedEnvironment = updatedEnvironment;
    }

    /// <summary>Variables in Config.Env whose value differs from the freshly rendered docker.env.</summary>
    public IReadOnlyList<string> StaleVariables { get; }

    /// <summary>Variables of docker.env that a docker.env consumer lacks (AWS_SESSION_TOKEN when the new credentials
    /// are temporary, a pass-through variable added to docker.env since it was created).</summary>
    public IReadOnlyList<string> AddedVariables { get; }

    /// <summary>AWS_SESSION_TOKEN when the new credentials are long-lived: an old token would poison them.</summary>
    public IReadOnlyList<string> RemovedVariables { get; }

    public IReadOnlyList<ChangedMount> ChangedMounts { get; }

    /// <summary>Config.Env with only the changed variables replaced: the environment of a recreated container.</summary>
    public IReadOnlyList<string> UpdatedEnvironment { get; }

    public bool EnvironmentIsStale => StaleVariables.Count + AddedVariables.Count + RemovedVariables.Count > 0;

    public bool ReadsChangedFile => ChangedMounts.Count > 0;

    public static CredentialConsumption Analyze(ContainerInspectResponse inspect, ConsumerUpdateRequest request)
    {
        var environment = inspect.Config?.Env ?? [];
        var desired = request.DesiredEnvironment;
        var stale = new List<string>();
        var updated = new List<string>(environment.Count);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in environment)
        {
            var (name, value) = EnvironmentEntry.Parse(entry);
            present.Add(name);
            if (desired.TryGetValue(name, out var wanted) &&
                Secret.FingerprintOf(value) != Secret.FingerprintOf(wanted))
            {
                stale.Add(name);
                updated.Add($"{name}={wanted}");
            }
            else
            {
                updated.Add(entry);
            }
        }

        // AWS_ACCESS_KEY_ID (any value) marks the container as started from docker.env: then it must have every
        // variable docker.env now holds (AWS_SESSION_TOKEN when the new credentials are temporary, pass-through
        // variables added since), and no AWS_SESSION_TOKEN once the credentials are long-lived. Other variables that
        // have left docker.env are deliberately not removed: compose may set the same names from elsewhere
        // (environment:), and an inspect cannot tell the two apart.
        var added = new List<string>();
        var removed = new List<string>();
        if (IsDockerEnvConsumer(present, desired) && desired.ContainsKey(AccessKeyId))
        {
            foreach (var (name, value) in desired.Where(d => !present.Contains(d.Key)).OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                added.Add(name);
                updated.Add($"{name}={value}");
            }

            // Variables only NodeAgent puts into docker.env, gone from it now: a stale token poisons long-lived keys,
            // and a profile name the container cannot find is an error in botocore.
            foreach (var owned in new[] { SessionToken, Profile }.Where(n => !desired.ContainsKey(n) && present.Contains(n)))
            {
                removed.Add(owned);
                updated.RemoveAll(e => EnvironmentEntry.Parse(e).Name == owned);
            }
        }
        else if (present.Contains(AccessKeyId) && request.WithdrawnVariables.Count > 0)
        {
            // Instance profile: a docker.env consumer still carries the keys of the static deployment. It gets
            // docker.env's other variables, and loses the keys, which would otherwise win over the role.
            foreach (var (name, value) in desired.Where(d => !present.Contains(d.Key)).OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                added.Add(name);
                updated.Add($"{name}={value}");
            }
        }

        foreach (var name in request.WithdrawnVariables.Where(present.Contains).Where(n => !removed.Contains(n)))
        {
            removed.Add(name);
            updated.RemoveAll(e => EnvironmentEntry.Parse(e).Name == name);
        }

        return new CredentialConsumption(stale, added, removed, ChangedMountsOf(inspect, request.ChangedPaths), updated);
    }

    /// <summary>For apply: "AWS_SECRET_ACCESS_KEY in its environment was stale" and friends; names only, never values.</summary>
    public string DescribeEnvironment() => DescribeEnvironment("was stale", "were stale");

    /// <summary>For verify: "AWS_SECRET_ACCESS_KEY in its environment differs from docker.env" and friends.</summary>
    public string DescribeEnvironmentAgainstDockerEnv() => DescribeEnvironment("differs from docker.env", "differ from docker.env");

    /// <summary>"bind mount /root/.aws contains changed /root/.aws/credentials" and friends.</summary>
    public string DescribeMounts() => string.Join("; ", ChangedMounts.Select(m => m.IsDirectory
        ? $"bind mount {m.Source} contains changed {m.ChangedPath}"
        : $"single-file bind mount {m.Source} still pointed at the replaced file's old inode"));

    /// <summary>
    /// Started from docker.env: it holds AWS_ACCESS_KEY_ID, or, on a host the instance profile left without keys in
    /// the environment, every bucket variable docker.env holds (so switching back to static keys gives them back).
    /// </summary>
    private static bool IsDockerEnvConsumer(HashSet<string> present, IReadOnlyDictionary<string, string> desired)
    {
        if (present.Contains(AccessKeyId))
        {
            return true;
        }

        var buckets = desired.Keys.Where(k => k.StartsWith(BucketPrefix, StringComparison.Ordinal)).ToList();
        return buckets.Count > 0 && buckets.All(present.Contains);
    }

    private static List<ChangedMount> ChangedMountsOf(ContainerInspectResponse inspect, IReadOnlyList<string> changedPaths)
    {
        var result = new List<ChangedMount>();
        var changed = changedPaths.Select(HostPath.Normalize).ToList();
        foreach (var mount in inspect.Mounts ?? [])
        {
            if (mount.Type != "bind" || string.IsNullOrEmpty(mount.Source))
            {
                continue;
            }

            var source = HostPath.Normalize(mount.Source);
            foreach (var path in changed)
            {
                var isFile = path == source;
                var isInside = path.StartsWith(source == "/" ? "/" : source + "/", StringComparison.Ordinal);
                if (isFile || isInside)
                {
                    result.Add(new ChangedMount(source, mount.Destination ?? "", path, IsDirectory: !isFile, ReadOnly: !mount.RW));
                    break;
                }
            }
        }

        return result;
    }

    private string DescribeEnvironment(string staleOne, string staleMany)
    {
        var parts = new List<string>();
        if (StaleVariables.Count > 0)
        {
            parts.Add($"{string.Join(", ", StaleVariables)} in its environment {(StaleVariables.Count == 1 ? staleOne : staleMany)}");
        }

        if (AddedVariables.Count > 0)
        {
            parts.Add($"{string.Join(", ", AddedVariables)} {(AddedVariables.Count == 1 ? "was" : "were")} missing from its environment");
        }

        if (RemovedVariables.Count > 0)
        {
            parts.Add($"{string.Join(", ", RemovedVariables)} in its environment {(RemovedVariables.Count == 1 ? "is" : "are")} no longer issued");
        }

        return string.Join("; ", parts);
    }
}
