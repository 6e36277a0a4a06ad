namespace NodeAgent.FileSystem;

/// <summary>
/// A regular file as found on disk. <see cref="Mode"/> holds only the permission bits.
/// <see cref="Directory"/> is the directory holding it (null when that is the trusted anchor itself): what a
/// private parent such as ~/.aws is compared against.
/// ToString never shows the content: it may hold a secret.
/// </summary>
public sealed record ExistingFile(byte[] Content, PermissionBits Mode, uint Uid, uint Gid)
{
    public FileOwner Owner => new(Uid, Gid);

    public ExistingDirectory? Directory { get; init; }

    /// <summary>
    /// The file's size when it is over <see cref="SecureFileSystem.MaxTargetBytes"/>: it was not read (a user can
    /// `truncate -s 1G` a file they own), <see cref="Content"/> is empty, and it is drifted whatever it holds.
    /// </summary>
    public long? OversizedBytes { get; init; }

    public bool IsOversized => OversizedBytes is not null;

    /// <summary>Names the file has (st_nlink). Over 1, its content may be another file's too: never shown, always replaced.</summary>
    public uint LinkCount { get; init; } = 1;

    public override string ToString() =>
        $"ExistingFile {{ {OversizedBytes ?? Content.Length} bytes{(IsOversized ? " (oversized, not read)" : string.Empty)}, Mode = {Mode}, Owner = {Uid}:{Gid} }}";
}

/// <summary>A directory as found on disk: permission bits and numeric owner.</summary>
public sealed record ExistingDirectory(string Path, PermissionBits Mode, uint Uid, uint Gid)
{
    public FileOwner Owner => new(Uid, Gid);
}
