namespace NodeAgent.FileSystem;

/// <summary>
/// A file operation failed at the OS level. The message names the path, what was being done with the OS
/// error (strerror), whether the earlier state is intact, and the fix. It never contains file content.
/// </summary>
public sealed class FileWriteException : Exception
{
    public FileWriteException(string path, string what, int? errno, string fix, bool rolledBack, Exception? inner = null)
        : base(Compose(path, what, fix, rolledBack), inner)
    {
        Path = path;
        What = what;
        Errno = errno;
        Fix = fix;
        RolledBack = rolledBack;
    }

    public string Path { get; }

    /// <summary>What was being done, with the OS error text, e.g. "renaming the new file into place: Operation not permitted".</summary>
    public string What { get; }

    /// <summary>The errno, when the failure came from a system call.</summary>
    public int? Errno { get; }

    public string Fix { get; }

    /// <summary>
    /// True when every target holds exactly what it held before the attempt (nothing changed, or every change
    /// was undone). False means some target may hold new content: the message says which and where the backups are.
    /// </summary>
    public bool RolledBack { get; }

    internal FileWriteException WithRollback(bool rolledBack, string? note = null) =>
        new(Path, note is null ? What : $"{What}; {note}", Errno, Fix, rolledBack, this);

    private static string Compose(string path, string what, string fix, bool rolledBack)
    {
        var state = rolledBack
            ? "; nothing was changed: every target still holds its previous content, mode and owner"
            : string.Empty;
        return $"{path}: {what}{state} — {fix}";
    }
}
