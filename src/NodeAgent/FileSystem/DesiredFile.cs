namespace NodeAgent.FileSystem;

/// <summary>
/// A file as it should be: full path (already mapped under --root in a sandbox), content, permission bits
/// and owner.
/// <para><see cref="Owner"/> null leaves ownership to the invoking user (sandbox runs, tests).</para>
/// <para><see cref="PrivateParent"/>: the file's own directory is private (the ~/.aws case): created 0700 and
/// owned by <see cref="Owner"/> when missing, and brought to 0700 and <see cref="Owner"/> when it exists.
/// Other missing directories are created 0755, owned by the process user; other existing directories are never
/// changed, and are refused when others may write to them or an untrusted user owns them.</para>
/// ToString never shows the content: it may hold a secret.
/// </summary>
public sealed record DesiredFile(string Path, byte[] Content, PermissionBits Mode, FileOwner? Owner, bool PrivateParent)
{
    /// <summary>The file must not exist: a set removes it (no-follow, directory synced), backed up and restored on rollback like any change.</summary>
    public bool Absent { get; init; }

    public override string ToString() =>
        Absent ? $"DesiredFile {{ {Path}, absent }}" : $"DesiredFile {{ {Path}, {Content.Length} bytes, Mode = {Mode}, Owner = {Owner?.ToString() ?? "process user"}, PrivateParent = {PrivateParent} }}";
}
