using NodeAgent.FileSystem;
using NodeAgent.Rendering;
using NodeAgent.Sources;

namespace NodeAgent.Planning;

public enum FileAction
{
    Create,
    Update,
    Unchanged,
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

    /// <summary>Every secret of the set, for masking anything derived from file contents.</summary>
    public IReadOnlyList<Secret> Secrets =>
        new[] { Set.Credentials.AccessKeyId, Set.Credentials.SecretAccessKey, Set.Credentials.SessionToken }
            .OfType<Secret>().ToList();
}
