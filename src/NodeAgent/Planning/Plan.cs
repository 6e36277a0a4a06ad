using NodeAgent.FileSystem;
using NodeAgent.Rendering;
using NodeAgent.Sources;

namespace NodeAgent.Planning;

public enum FileAction
{
    Create,
    Update,
    Unchanged,

    /// <summary>The target must not exist and does: removed through the secure writer (instance-profile mode).</summary>
    Remove,
}

/// <summary>
/// Which files rotate together: one home's ~/.aws pair (its credentials and config must never disagree), and the
/// shared set of every other target. A user can only break domains in places they own, so their own home or, where
/// they own /opt/sensor, the shared set: never root's home.
/// </summary>
public static class FailureDomains
{
    public const string Shared = "shared";

    public static string For(RenderedFile file) => file.Kind is TargetKind.AwsCredentials or TargetKind.AwsConfig
        ? $"home {System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(file.HostPath))}"
        : Shared;
}

/// <summary>What apply would do to one target, and why.</summary>
public sealed record FileChange(
    RenderedFile Desired,
    string Path,
    FileAction Action,
    IReadOnlyList<string> Reasons,
    FileOwner? Owner,
    string OwnerDescription,
    byte[]? OldContent)
{
    public bool IsChange => Action != FileAction.Unchanged;

    /// <summary>New bytes, not only a new mode or owner: what decides whether a consumer must re-read the file.</summary>
    public bool ContentChanged => Action is FileAction.Create or FileAction.Remove || (OldContent is { } old && !old.AsSpan().SequenceEqual(Desired.Content));

    /// <summary>The failure domain the file rotates with (<see cref="FailureDomains"/>).</summary>
    public string Domain { get; init; } = FailureDomains.Shared;

    /// <summary>Why --diff must not show this file's old content (oversized, a hard link); null when it may.</summary>
    public string? DiffWithheld { get; init; }
}

/// <summary>The whole intended state: computed before anything is touched, so a dry run is simply a plan not applied.</summary>
public sealed record Plan(CredentialSet Set, IReadOnlyList<FileChange> Files, IReadOnlyList<string> Notes)
{
    public IEnumerable<FileChange> Changes => Files.Where(f => f.IsChange);

    /// <summary>
    /// Targets that are symlinks or not regular files, and directories on the way that others may write to or an
    /// untrusted user owns (each named once): apply refuses the whole plan, verify reports each.
    /// </summary>
    public IReadOnlyList<UnsafePathException> UnsafeTargets { get; init; } = [];

    /// <summary>The domains apply refuses because of <see cref="UnsafeTargets"/>; every other domain is applied.</summary>
    public IReadOnlyList<RefusedDomain> RefusedDomains { get; init; } = [];

    /// <summary>Every secret of the set, for masking anything derived from file contents.</summary>
    public IReadOnlyList<Secret> Secrets => Set.Secrets;

    public bool IsRefused(string domain) => RefusedDomains.Any(d => d.Name == domain);
}

/// <summary>A failure domain with an unsafe path in it: none of its files is written.</summary>
public sealed record RefusedDomain(string Name, IReadOnlyList<UnsafePathException> Problems);
