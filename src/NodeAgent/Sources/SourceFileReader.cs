using NodeAgent.Configuration;
using NodeAgent.Native;

namespace NodeAgent.Sources;

/// <summary>
/// Reads the three source files from one directory. An absent file is simply absent (any subset may be
/// deployed); one that is there but too large, unreadable or not a regular file is an error, collected rather
/// than thrown. A symbolic link to a regular file is read: the directory is written by the deployer.
/// </summary>
public static class SourceFileReader
{
    /// <summary>Credential sources are a few hundred bytes; anything this large is the wrong file.</summary>
    public const int MaximumBytes = 1024 * 1024;

    // File types from <sys/stat.h> that LibC does not name; the same on every Linux architecture.
    private const int S_IFIFO = 0x1000;
    private const int S_IFCHR = 0x2000;
    private const int S_IFBLK = 0x6000;
    private const int S_IFSOCK = 0xC000;

    // 0400 in asm-generic, used by both x86-64 and arm64: a terminal opened by mistake does not become ours.
    private const int O_NOCTTY = 0x100;

    private const string ReplaceFix =
        "a credential source must be a plain file: replace it with the file from the deployment bundle (a symbolic link to a plain file is fine), or remove it if the other sources hold everything";

    public static SourceDocuments Read(string directory, SourcesOptions options)
    {
        var errors = new List<SourceError>();
        if (!Directory.Exists(directory))
        {
            // Otherwise three "absent" files would read as "the deployer uploaded nothing", which sends the operator the wrong way.
            errors.Add(new SourceError(directory, null, File.Exists(directory) ? "is a file, not the sources directory" : "the sources directory does not exist yet: waiting for the deployer's upload",
                $"upload {options.CredentialsFile}, {options.ConfigFile} and/or {options.EnvFile} there, or pass --sources DIR (sources.directory in nodeagent.yaml)"));
            return new SourceDocuments(null, null, null, errors, directory);
        }

        return new SourceDocuments(
            ReadOne(Path.Combine(directory, options.CredentialsFile), errors),
            ReadOne(Path.Combine(directory, options.ConfigFile), errors),
            ReadOne(Path.Combine(directory, options.EnvFile), errors),
            errors,
            directory);
    }

    private static SourceDocument? ReadOne(string path, List<SourceError> errors)
    {
        // Look (following links) before opening: a FIFO opened for reading waits for a writer forever, and
        // opening some devices has effects of its own (a watchdog arms, a tape rewinds).
        if (LibC.statx(LibC.AT_FDCWD, path, 0, LibC.STATX_BASIC_STATS, out var seen) != 0)
        {
            var errno = LibC.LastErrno;
            if (errno is LibC.ENOENT or LibC.ENOTDIR && LinkTarget(path) is null)
            {
                return null;
            }

            errors.Add(Unreadable(path, errno));
            return null;
        }

        if (!seen.IsRegularFile)
        {
            errors.Add(NotARegularFile(path, seen));
            return null;
        }

        // The look alone leaves a window in which the file can be swapped, so the open itself cannot block
        // (O_NONBLOCK: opening a FIFO returns at once; it changes nothing for a regular file) and the
        // descriptor actually opened is judged again. Simpler than lstat-and-walk, and nothing can slip between.
        using var descriptor = LibC.open(path, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC | O_NOCTTY, 0);
        if (descriptor.IsInvalid)
        {
            errors.Add(Unreadable(path, LibC.LastErrno));
            return null;
        }

        if (LibC.statx(descriptor, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, out var opened) != 0)
        {
            errors.Add(Unreadable(path, LibC.LastErrno));
            return null;
        }

        if (!opened.IsRegularFile)
        {
            errors.Add(NotARegularFile(path, opened));
            return null;
        }

        // At most one byte past the limit: the size looked up front can change (a growing file).
        var readError = LibC.ReadToEnd(descriptor, MaximumBytes, opened.Size, out var content);
        if (readError != 0)
        {
            errors.Add(Unreadable(path, readError));
            return null;
        }

        var total = content.Length;
        if (total > MaximumBytes)
        {
            errors.Add(new SourceError(path, null,
                $"the file is {Math.Max(opened.Size, (ulong)total)} bytes; a credential source is at most 1 MiB",
                "this is not a credential source file: copy the right one from the deployment bundle"));
            return null;
        }

        return new SourceDocument(path, content);
    }

    private static SourceError NotARegularFile(string path, LibC.StatxBuffer stat)
    {
        var kind = stat.FileType switch
        {
            LibC.S_IFDIR => "a directory",
            S_IFIFO => "a FIFO (named pipe)",
            S_IFCHR => "a character device",
            S_IFBLK => "a block device",
            S_IFSOCK => "a socket",
            _ => "a special file",
        };
        var via = LinkTarget(path) is { } target ? $" (through the symbolic link to {target})" : "";
        return stat.IsDirectory
            ? new SourceError(path, null, $"is a directory, not a file{via}",
                "replace it with the file from the deployment bundle, or remove it if the other sources hold everything")
            : new SourceError(path, null, $"is {kind}, not a regular file{via}; NodeAgent reads only plain files", ReplaceFix);
    }

    private static SourceError Unreadable(string path, int errno) => errno switch
    {
        LibC.EACCES or LibC.EPERM => new SourceError(path, null,
            "the file cannot be read: permission denied",
            "run nodeagent as root, or make the file readable by the user running it (chmod 600 and chown to that user)"),
        LibC.ENOENT or LibC.ENOTDIR when LinkTarget(path) is { } target => new SourceError(path, null,
            $"is a symbolic link to {target}, which does not exist",
            "point the link at the file from the deployment bundle, or remove the link if the other sources hold everything"),
        LibC.ELOOP => new SourceError(path, null,
            "is a symbolic link that leads back to itself (too many levels of symbolic links)",
            "replace the link with the file from the deployment bundle"),
        _ => new SourceError(path, null,
            $"the file cannot be read: {LibC.Describe(errno)}",
            "check the disk and the file, then copy it again from the deployment bundle"),
    };

    /// <summary>What a symbolic link at <paramref name="path"/> points to, as written in the link; null for anything else.</summary>
    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
