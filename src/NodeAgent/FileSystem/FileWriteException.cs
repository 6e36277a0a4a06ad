using NodeAgent.Failures;

namespace NodeAgent.FileSystem;

/// <summary>
/// A file operation failed at the OS level. The message names the path, what was being done with the OS
/// error (strerror), whether the earlier state is intact, and the fix. It never contains file content.
/// </summary>
public sealed class FileWriteException : AgentException
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

    public override int ExitCode => Cli.ExitCodes.WriteFailed;

    public override string Phase => "write";

    public override IReadOnlyList<AgentProblem> Problems =>
        [new AgentProblem(Path, What + (RolledBack ? "; nothing was changed: every target still holds its previous content, mode and owner" : string.Empty), Fix)];

    public override string? Closing(bool writes) => !writes
        ? "nodeagent: a target could not be read (run as root?); nothing was written."
        : RolledBack
            ? "nodeagent: the write failed; the previous complete set of files is in place."
            : "nodeagent: the write failed and the previous set could not be fully restored; see the error above.";

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
