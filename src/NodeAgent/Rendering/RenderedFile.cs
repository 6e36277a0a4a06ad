using NodeAgent.FileSystem;

namespace NodeAgent.Rendering;

public enum TargetKind
{
    AwsCredentials,
    AwsConfig,
    S3Config,
    StorageConfig,
    DotEnv,
    DockerEnv,
}

/// <summary>
/// One target as it should be: host path (before re-rooting), owner name, mode and bytes.
/// ConfigKey names where the target is configured, so errors point at the right YAML key.
/// </summary>
public sealed record RenderedFile(
    TargetKind Kind,
    string HostPath,
    string Owner,
    PermissionBits Mode,
    byte[] Content,
    bool HoldsSecret,
    bool PrivateParent,
    string ConfigKey)
{
    /// <summary>The target must not exist (a static deployment's credentials file on an instance-profile host): apply removes it.</summary>
    public bool Absent { get; init; }
}
