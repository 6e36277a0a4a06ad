namespace NodeAgent.FileSystem;

/// <summary>
/// The rule for a file's private parent (~/.aws): mode 0700, owned by the file's owner. Apply brings an existing
/// one there through its open descriptor; the planner and verify report the difference with these words.
/// </summary>
public static class PrivateDirectory
{
    public static readonly PermissionBits Mode = PermissionBits.OwnerOnlyDirectory;

    /// <summary>
    /// What differs between the private parent of <paramref name="existing"/> and the rule, e.g.
    /// "directory /home/ubuntu/.aws mode 0777 → 0700"; empty when nothing does or the file has no private parent.
    /// Without an owner asked for, only the mode is compared (the writer does not chown then either).
    /// </summary>
    public static IReadOnlyList<string> Drift(DesiredFile desired, ExistingFile? existing)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (!desired.PrivateParent || existing?.Directory is not { } directory)
        {
            return [];
        }

        var reasons = new List<string>(2);
        if (directory.Mode != Mode)
        {
            reasons.Add($"directory {directory.Path} mode {directory.Mode} → {Mode}");
        }

        if (desired.Owner is { } owner && directory.Owner != owner)
        {
            reasons.Add($"directory {directory.Path} owner {directory.Owner} → {owner}");
        }

        return reasons;
    }
}
