using System.Security.Cryptography;

using NodeAgent.Configuration;
using NodeAgent.Native;

namespace NodeAgent.FileSystem;

/// <summary>
/// Reads, writes and deletes files below a trusted anchor directory without ever following a symbolic link
/// below it. The anchor ("/" on a host, the --root directory in a sandbox) is opened normally; every component
/// under it is opened relative to its parent's descriptor with O_NOFOLLOW, so a link planted anywhere on the
/// way (~/.aws -> /etc, ~/.aws/credentials -> /etc/shadow) is refused instead of written through.
/// Ownership and mode are set on the open descriptor of a temporary file before any content is written,
/// and the file is renamed over its target through the same directory descriptor: a reader sees the old file
/// or the new one, never a half-written or briefly world-readable one.
/// Every existing directory below the anchor must be safe to write in: a directory that others may write to
/// (without the sticky bit) or that belongs to an untrusted user lets that user rename a file of their own over a
/// target, so it is refused. A file's private parent (~/.aws) is instead brought to 0700 and the file's owner.
/// </summary>
public sealed class SecureFileSystem
{
    /// <summary>Marks NodeAgent's temporary files: ".NAME.nodeagent-RANDOM".</summary>
    public const string TempFileMarker = ".nodeagent-";

    /// <summary>
    /// The most of a target that is ever read (the sources' limit too): every target NodeAgent renders is a few
    /// KiB, and a user who owns one could otherwise make root read, diff and back up a sparse 1 GiB file.
    /// </summary>
    public const int MaxTargetBytes = 1024 * 1024;

    private const int MaxNameInTempFile = 200;      // keeps ".NAME.nodeagent-RANDOM" under NAME_MAX (255)

    private static readonly PermissionBits DirectoryMode = PermissionBits.SharedDirectory;
    private static readonly PermissionBits PrivateDirectoryMode = PrivateDirectory.Mode;

    private static readonly int DirectoryOpenFlags =
        LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC;

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public SecureFileSystem(string trustedAnchor)
    {
        ArgumentException.ThrowIfNullOrEmpty(trustedAnchor);
        if (!trustedAnchor.StartsWith('/'))
        {
            throw new ArgumentException($"the trusted anchor must be an absolute path, got '{trustedAnchor}'", nameof(trustedAnchor));
        }

        Anchor = HostPath.Normalize(trustedAnchor);
    }

    /// <summary>The directory trusted as it is (it may itself be reached through links); everything below is not.</summary>
    public string Anchor { get; }

    /// <summary>How old a temp file must be before a write of the same target removes it as litter.</summary>
    internal static TimeSpan StaleTempAge { get; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Test seam: called right after a temporary file is created, with its path and the permission bits
    /// the kernel gave it (read back with statx on the descriptor), before fchown/fchmod run.
    /// </summary>
    internal Action<string, PermissionBits>? TempFileCreated { get; set; }

    /// <summary>True for names of NodeAgent's temporary files.</summary>
    public static bool IsTempFileName(string fileName) =>
        fileName.StartsWith('.') && fileName.Contains(TempFileMarker, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="path"/> is the anchor or lies below it.</summary>
    public bool Contains(string path)
    {
        return HostPath.IsSameOrUnder(HostPath.Normalize(path), Anchor);
    }

    /// <summary>
    /// The regular file at <paramref name="path"/>, or null when it (or a directory on the way) does not exist.
    /// Throws <see cref="UnsafePathException"/> when the path or a component below the anchor is a symlink,
    /// when the target is not a regular file, or when a directory on the way is writable by others without the
    /// sticky bit or owned by someone other than root, the process user or <paramref name="owner"/>.
    /// With <paramref name="privateParent"/> the file's own directory is not judged but reported in
    /// <see cref="ExistingFile.Directory"/>: a write repairs it (see <see cref="PrivateDirectory.Drift"/>).
    /// </summary>
    public ExistingFile? Inspect(string path, FileOwner? owner = null, bool privateParent = false)
    {
        var target = Resolve(path);
        using var directory = OpenDirectory(target, new DirectoryWalk(Writes: false, owner, privateParent));
        if (directory is null)
        {
            return null;
        }

        // Classify by name first so a device or FIFO is never opened (opening can have side effects).
        if (!TryStat(directory, target.Name, out var before, out var errno))
        {
            return errno is LibC.ENOENT or LibC.ENOTDIR
                ? null
                : throw Failure(target.FullPath, "reading its attributes", errno);
        }

        RequireRegularFile(target.FullPath, before);

        using var file = LibC.openat(directory, target.Name, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (file.IsInvalid)
        {
            errno = LibC.LastErrno;
            if (errno == LibC.ELOOP)
            {
                throw UnsafePathException.Symlink(target.FullPath); // swapped for a link since the statx above
            }

            return errno == LibC.ENOENT ? null : throw Failure(target.FullPath, "opening it for reading", errno);
        }

        var stat = StatDescriptor(file, target.FullPath);
        RequireRegularFile(target.FullPath, stat);
        var content = stat.Size > MaxTargetBytes ? null : ReadAll(file, target.FullPath, stat.Size);

        // Read at most one byte past the cap: a file growing between statx and read is oversized too.
        var statSize = stat.Size > long.MaxValue ? long.MaxValue : (long)stat.Size;
        long? oversized = content is null || content.Length > MaxTargetBytes ? Math.Max(statSize, content?.Length ?? 0) : null;
        return new ExistingFile(oversized is null ? content! : [], stat.Permissions, stat.Uid, stat.Gid)
        {
            Directory = Describe(directory, target),
            OversizedBytes = oversized,
            LinkCount = stat.LinkCount,
        };
    }

    /// <summary>Writes one file atomically (temp file, fchown, fchmod, write, fsync, rename, fsync directory).</summary>
    public void Write(DesiredFile file) => Write(file, alsoTrustedDirectoryOwner: null);

    /// <summary>
    /// Removes the regular file at <paramref name="path"/> through the no-follow directory handle.
    /// Absent is fine; a symlink or non-regular file there is refused, and so is an unsafe directory on the way
    /// (directories owned by <paramref name="owner"/> are trusted, as for a write of that file).
    /// </summary>
    public void Delete(string path, FileOwner? owner = null) => Remove(path, owner, skipIfNotRegular: false);

    internal static void SyncDirectory(FileDescriptor directory, string shownPath)
    {
        if (LibC.fsync(directory) != 0)
        {
            throw Failure(shownPath, "flushing the directory to disk", LibC.LastErrno);
        }
    }

    internal static LibC.StatxBuffer StatDescriptor(FileDescriptor descriptor, string shownPath)
    {
        if (LibC.statx(descriptor, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, out var stat) != 0)
        {
            throw Failure(shownPath, "reading its attributes", LibC.LastErrno);
        }

        return stat;
    }

    /// <summary>An OS error as an exception saying path, action, strerror and the fix; nothing changed yet.</summary>
    internal static FileWriteException Failure(string path, string action, int errno) =>
        new(path, $"{action}: {LibC.Describe(errno)}", errno, FixFor(errno, path), rolledBack: true);

    /// <summary>
    /// <see cref="Write(DesiredFile)"/>, also accepting directories owned by <paramref name="alsoTrustedDirectoryOwner"/>:
    /// a rollback puts a file back under its previous owner into a directory given to the new one.
    /// </summary>
    internal void Write(DesiredFile file, FileOwner? alsoTrustedDirectoryOwner)
    {
        using var staged = Stage(file, alsoTrustedDirectoryOwner);
        staged.Commit();
    }

    /// <summary>
    /// Removes <paramref name="path"/> if it is a regular file; leaves a symlink, directory, FIFO or device there
    /// alone (never following it) and returns false. For sweeping a directory NodeAgent owns of its own files.
    /// </summary>
    internal bool DeleteIfRegularFile(string path) => Remove(path, owner: null, skipIfNotRegular: true);

    /// <summary>
    /// Creates <paramref name="path"/> as a directory (missing parents 0755) if needed and makes sure it is
    /// mode 0700: used for the backup directory, which holds copies of secrets.
    /// </summary>
    internal void EnsurePrivateDirectory(string path)
    {
        var file = Resolve(path);
        var target = file with { DirectoryDepth = file.Components.Length };

        // The walk creates it 0700 or brings an existing one to 0700 through its descriptor.
        using var directory = OpenDirectory(target, new DirectoryWalk(Writes: true, Owner: null, PrivateLeaf: true))!;
    }

    /// <summary>
    /// Opens the existing regular file at <paramref name="path"/> read-only through the same no-follow walk as
    /// <see cref="OpenOrCreate"/>, creating nothing: for the shared apply lock. Null when it, or a directory on the way,
    /// does not exist; a symlink on the way throws <see cref="UnsafePathException"/>, as for a target.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The descriptor is returned to the caller, which owns it; it is disposed on every failure path here.")]
    internal FileDescriptor? OpenExisting(string path)
    {
        var target = Resolve(path);
        using var directory = OpenDirectory(target, new DirectoryWalk(Writes: false, Owner: null, PrivateLeaf: false));
        if (directory is null)
        {
            return null;
        }

        var file = LibC.openat(directory, target.Name, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (file.IsInvalid)
        {
            var errno = LibC.LastErrno;
            file.Dispose();
            return errno switch
            {
                LibC.ENOENT or LibC.ENOTDIR => null,
                LibC.ELOOP => throw UnsafePathException.Symlink(target.FullPath),
                _ => throw Failure(target.FullPath, "opening it", errno),
            };
        }

        return RegularFileOrDispose(file, target.FullPath);
    }

    /// <summary>
    /// Opens (creating it with <paramref name="mode"/> if missing) the regular file at <paramref name="path"/> for
    /// reading and writing, through the same no-follow walk as a target (missing directories created 0755): for the
    /// apply lock, which must never be created through a link planted at the state directory or below.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The descriptor is returned to the caller, which owns it; it is disposed on every failure path here.")]
    internal FileDescriptor OpenOrCreate(string path, PermissionBits mode)
    {
        var target = Resolve(path);
        using var directory = OpenDirectory(target, new DirectoryWalk(Writes: true, Owner: null, PrivateLeaf: false))!;
        var file = LibC.openat(directory, target.Name, LibC.O_RDWR | LibC.O_CREAT | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC, mode.Native);
        if (file.IsInvalid)
        {
            var errno = LibC.LastErrno;
            file.Dispose();
            throw errno == LibC.ELOOP ? UnsafePathException.Symlink(target.FullPath) : Failure(target.FullPath, "opening it", errno);
        }

        return RegularFileOrDispose(file, target.FullPath);
    }

    /// <summary>
    /// Everything of a write except the final rename: the parent directory opened without following links
    /// (created where missing), a temporary file beside the target with final owner, mode and content, synced.
    /// The returned handle keeps the verified directory open so the rename cannot be redirected.
    /// </summary>
    internal StagedFile Stage(DesiredFile file, FileOwner? alsoTrustedDirectoryOwner = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        var target = Resolve(file.Path);
        var walk = new DirectoryWalk(Writes: true, file.Owner, file.PrivateParent, alsoTrustedDirectoryOwner);
        var directory = OpenDirectory(target, walk)!;
        try
        {
            RefuseUnsafeTarget(directory, target);
            SweepStaleTempFiles(directory, target);
            var (descriptor, tempName) = CreateTempFile(directory, target, file.Mode);
            using (descriptor)
            {
                try
                {
                    FillTempFile(descriptor, target, tempName, file);
                }
                catch
                {
                    _ = LibC.unlinkat(directory, tempName, 0);
                    throw;
                }
            }

            return new StagedFile(directory, target.DirectoryPath, tempName, target.Name, target.FullPath);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Removes this target's own temp files (".NAME.nodeagent-RANDOM", 0600, possibly holding a secret) that a killed
    /// or failed run left behind. Only ones older than <see cref="StaleTempAge"/>: a live writer renames its temp within
    /// seconds, and verify writes its report without the apply lock.
    /// </summary>
    private static void SweepStaleTempFiles(FileDescriptor directory, ResolvedPath target)
    {
        var prefix = $".{TempBaseName(target)}{TempFileMarker}";
        var cutoff = DateTimeOffset.UtcNow.Add(-StaleTempAge).ToUnixTimeSeconds();
        foreach (var name in EntryNames(directory, target.DirectoryPath))
        {
            if (name.Length == prefix.Length + 12 && name.StartsWith(prefix, StringComparison.Ordinal)
                && !name.AsSpan(prefix.Length).ContainsAnyExcept(LowerHex)
                && TryStat(directory, name, out var stat, out _) && stat.IsRegularFile && stat.ModifyTimeSeconds < cutoff)
            {
                _ = LibC.unlinkat(directory, name, 0); // best effort: a leftover is retried on the next write
            }
        }
    }

    private static string TempBaseName(ResolvedPath target) =>
        target.Name.Length > MaxNameInTempFile ? target.Name[..MaxNameInTempFile] : target.Name;

    private static void FillTempFile(FileDescriptor descriptor, ResolvedPath target, string tempName, DesiredFile file)
    {
        // Owner first, then mode: chown clears set-id bits, and fchmod is what undoes the umask.
        if (file.Owner is { } owner && LibC.fchown(descriptor, owner.Uid, owner.Gid) != 0)
        {
            throw Failure(target.FullPath, $"giving the new file to owner {owner} (fchown on {tempName})", LibC.LastErrno);
        }

        if (LibC.fchmod(descriptor, file.Mode.Native) != 0)
        {
            throw Failure(target.FullPath, $"setting mode {file.Mode} on the new file", LibC.LastErrno);
        }

        WriteAll(descriptor, file.Content, target.FullPath);
        if (LibC.fsync(descriptor) != 0)
        {
            throw Failure(target.FullPath, "flushing the new file to disk", LibC.LastErrno);
        }
    }

    private static void RefuseUnsafeTarget(FileDescriptor directory, ResolvedPath target)
    {
        if (TryStat(directory, target.Name, out var stat, out var errno))
        {
            RequireRegularFile(target.FullPath, stat);
        }
        else if (errno != LibC.ENOENT)
        {
            throw Failure(target.FullPath, "reading its attributes", errno);
        }
    }

    /// <summary>The opened descriptor when it is a regular file; otherwise it is closed and the refusal thrown.</summary>
    private static FileDescriptor RegularFileOrDispose(FileDescriptor file, string path)
    {
        try
        {
            RequireRegularFile(path, StatDescriptor(file, path));
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static void RequireRegularFile(string path, LibC.StatxBuffer stat)
    {
        if (stat.IsSymbolicLink)
        {
            throw UnsafePathException.Symlink(path);
        }

        if (!stat.IsRegularFile)
        {
            var kind = stat.IsDirectory ? "a directory" : "not a regular file (device, FIFO or socket)";
            throw new UnsafePathException(path, $"is {kind}; NodeAgent only manages regular files",
                $"move {path} out of the way and run apply again");
        }
    }

    private static FileDescriptor? OpenChildDirectory(
        FileDescriptor parent, ResolvedPath target, int index, DirectoryWalk walk, bool isLeaf)
    {
        var name = target.Components[index];
        var shownPath = target.PrefixPath(index + 1);
        var created = false;
        var privateLeaf = walk.PrivateLeaf && isLeaf;
        var mode = privateLeaf ? PrivateDirectoryMode : DirectoryMode;
        for (var attempt = 0; ; attempt++)
        {
            var child = LibC.openat(parent, name, DirectoryOpenFlags, 0);
            if (!child.IsInvalid)
            {
                try
                {
                    if (created)
                    {
                        FinishCreatedDirectory(parent, child, target, index, mode, privateLeaf ? walk.Owner : null);
                    }
                    else
                    {
                        CheckExistingDirectory(child, target, index, walk, privateLeaf);
                    }
                }
                catch
                {
                    child.Dispose();
                    throw;
                }

                return child;
            }

            var errno = LibC.LastErrno;
            child.Dispose();
            switch (errno)
            {
                case LibC.ENOENT when !walk.Writes:
                    return null;
                case LibC.ENOENT when attempt < 3:
                    if (LibC.mkdirat(parent, name, mode.Native) == 0)
                    {
                        created = true;
                    }
                    else if (LibC.LastErrno is var mkdirErrno && mkdirErrno != LibC.EEXIST)
                    {
                        throw Failure(shownPath, "creating the directory", mkdirErrno);
                    }

                    continue;
                case LibC.ELOOP or LibC.ENOTDIR:
                    // O_NOFOLLOW|O_DIRECTORY on a link reports either error depending on the kernel path: look.
                    if (TryStat(parent, name, out var stat, out _) && stat.IsSymbolicLink)
                    {
                        throw UnsafePathException.Symlink(shownPath);
                    }

                    if (!walk.Writes)
                    {
                        return null; // a file where a directory should be: the target cannot exist
                    }

                    throw new FileWriteException(shownPath,
                        $"cannot create {target.FullPath} below it: {LibC.Describe(LibC.ENOTDIR)}", LibC.ENOTDIR,
                        $"{shownPath} is a file where a directory is needed: move it away and run apply again",
                        rolledBack: true);
                default:
                    throw Failure(shownPath, "opening the directory", errno);
            }
        }
    }

    /// <summary>
    /// A directory that was already there. Anyone allowed to add entries to it can rename a file of their own
    /// over a target, whatever the target's mode: so it must not be writable by group or others (unless sticky,
    /// where only an entry's owner may replace it) and must belong to root, the process user or the file's owner.
    /// A private leaf (~/.aws) is not refused for its mode or owner: a write brings it to 0700 and the file's
    /// owner through the open descriptor (never by path), before any file is created in it.
    /// </summary>
    private static void CheckExistingDirectory(FileDescriptor child, ResolvedPath target, int index, DirectoryWalk walk, bool privateLeaf)
    {
        var shownPath = target.PrefixPath(index + 1);
        var stat = StatDescriptor(child, shownPath);
        if (privateLeaf)
        {
            if (walk.Owner is null)
            {
                RequireTrustedOwner(shownPath, stat, walk);
            }
            else if (stat.Uid != walk.Owner.Uid)
            {
                RefuseTakeoverOfForeignContent(child, shownPath, stat, walk.Owner);
            }

            if (walk.Writes)
            {
                RepairPrivateDirectory(child, shownPath, stat, walk.Owner);
            }

            return;
        }

        var permissions = stat.Permissions;
        if (permissions.HasAny(PermissionBits.GroupOrOtherWrite) && !permissions.HasAny(PermissionBits.Sticky))
        {
            var who = permissions.HasAll(PermissionBits.GroupOrOtherWrite) ? "group and others"
                : permissions.HasAny(PermissionBits.GroupWrite) ? "its group" : "others";
            throw new UnsafePathException(shownPath,
                $"is writable by {who} (mode {permissions}) without the sticky bit: whoever can write to it could rename a file of their own over any file NodeAgent writes below it",
                $"chmod go-w {shownPath}, then run apply again");
        }

        RequireTrustedOwner(shownPath, stat, walk);
    }

    private static void RequireTrustedOwner(string shownPath, LibC.StatxBuffer stat, DirectoryWalk walk)
    {
        var processUid = LibC.geteuid();
        if (stat.Uid == 0 || stat.Uid == processUid || stat.Uid == walk.Owner?.Uid || stat.Uid == walk.AlsoTrusted?.Uid)
        {
            return;
        }

        var fileOwner = walk.Owner is { } owner ? $", nor the file's owner (uid {owner.Uid})" : string.Empty;
        throw new UnsafePathException(shownPath,
            $"is owned by uid {stat.Uid}, which is neither root, nor the user nodeagent runs as (uid {processUid}){fileOwner}: that user could rename a file of their own over any file NodeAgent writes below it",
            $"chown root {shownPath}, then run apply again");
    }

    /// <summary>
    /// Giving ~/.aws to its user is only a repair when the user loses nothing to it and gains nothing but their own
    /// files: a user can rename any directory of their home to .aws (a root-owned .cache left by `sudo pip`), and an
    /// fchown would hand them whatever it holds. So a ~/.aws owned by someone else is taken over only when it is empty
    /// or holds nothing but the regular files NodeAgent manages (the legacy script left a root-owned one like that).
    /// </summary>
    private static void RefuseTakeoverOfForeignContent(FileDescriptor directory, string shownPath, LibC.StatxBuffer stat, FileOwner owner)
    {
        var foreign = new List<string>();
        foreach (var name in EntryNames(directory, shownPath))
        {
            var managed = name is "credentials" or "config" || IsTempFileName(name);
            if (!managed || !TryStat(directory, name, out var entry, out _) || !entry.IsRegularFile)
            {
                foreign.Add(name);
            }
        }

        if (foreign.Count == 0)
        {
            return;
        }

        var shown = string.Join(", ", foreign.Order(StringComparer.Ordinal).Take(5)) + (foreign.Count > 5 ? $" and {foreign.Count - 5} more" : string.Empty);
        throw new UnsafePathException(shownPath,
            $"is owned by uid {stat.Uid}, not the file's owner (uid {owner.Uid}), and holds entries NodeAgent does not manage ({shown}): giving it to uid {owner.Uid} would hand over what that user did not own",
            $"look inside {shownPath}; if everything there belongs to that user, chown -R {owner.Uid}:{owner.Gid} {shownPath}, otherwise move it away; then run apply again");
    }

    /// <summary>
    /// The names in an open directory. Listed through /proc/self/fd, which resolves to the very directory the
    /// descriptor holds (never a path someone could swap), so what is judged is what would be chowned.
    /// </summary>
    private static List<string> EntryNames(FileDescriptor directory, string shownPath)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/self/fd/{directory.DangerousGetHandle()}")
                .Select(p => System.IO.Path.GetFileName(p)).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileWriteException(shownPath, $"listing the directory: {e.Message}", null,
                "check that /proc is mounted and run nodeagent as root, then run apply again", rolledBack: true);
        }
    }

    private static void RepairPrivateDirectory(FileDescriptor directory, string shownPath, LibC.StatxBuffer stat, FileOwner? owner)
    {
        var ownerDiffers = owner is not null && (stat.Uid != owner.Uid || stat.Gid != owner.Gid);
        if (!ownerDiffers && stat.Permissions == PrivateDirectoryMode)
        {
            return;
        }

        // Owner first, then mode, as for files: fchmod last decides the bits.
        if (ownerDiffers && LibC.fchown(directory, owner!.Uid, owner.Gid) != 0)
        {
            throw Failure(shownPath, $"giving the directory to owner {owner}", LibC.LastErrno);
        }

        if (LibC.fchmod(directory, PrivateDirectoryMode.Native) != 0)
        {
            throw Failure(shownPath, $"restricting the directory to mode {PrivateDirectoryMode}", LibC.LastErrno);
        }

        SyncDirectory(directory, shownPath);
    }

    private static ExistingDirectory? Describe(FileDescriptor directory, ResolvedPath target)
    {
        if (target.DirectoryDepth == 0)
        {
            return null; // the anchor: trusted as it is, never repaired
        }

        var stat = StatDescriptor(directory, target.DirectoryPath);
        return new ExistingDirectory(target.DirectoryPath, stat.Permissions, stat.Uid, stat.Gid);
    }

    private static void FinishCreatedDirectory(
        FileDescriptor parent, FileDescriptor child, ResolvedPath target, int index, PermissionBits mode, FileOwner? owner)
    {
        var shownPath = target.PrefixPath(index + 1);
        if (owner is not null && LibC.fchown(child, owner.Uid, owner.Gid) != 0)
        {
            throw Failure(shownPath, $"giving the new directory to owner {owner}", LibC.LastErrno);
        }

        // mkdirat's mode went through the umask; set exactly what was meant.
        if (LibC.fchmod(child, mode.Native) != 0)
        {
            throw Failure(shownPath, $"setting mode {mode} on the new directory", LibC.LastErrno);
        }

        SyncDirectory(parent, target.PrefixPath(index));
    }

    private static bool TryStat(FileDescriptor directory, string name, out LibC.StatxBuffer stat, out int errno)
    {
        if (LibC.statx(directory, name, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out stat) == 0)
        {
            errno = 0;
            return true;
        }

        errno = LibC.LastErrno;
        return false;
    }

    private static byte[] ReadAll(FileDescriptor descriptor, string shownPath, ulong sizeHint)
    {
        var errno = LibC.ReadToEnd(descriptor, MaxTargetBytes + 1, sizeHint, out var content);
        return errno == 0 ? content : throw Failure(shownPath, "reading it", errno);
    }

    private static unsafe void WriteAll(FileDescriptor descriptor, byte[] content, string shownPath)
    {
        var written = 0;
        while (written < content.Length)
        {
            nint count;
            fixed (byte* start = content)
            {
                count = LibC.write(descriptor, start + written, (nuint)(content.Length - written));
            }

            if (count < 0)
            {
                var errno = LibC.LastErrno;
                if (LibC.Interrupted(errno))
                {
                    continue;
                }

                throw Failure(shownPath, "writing the new content", errno);
            }

            written += (int)count;
        }
    }

    private static string FixFor(int errno, string path) => errno switch
    {
        LibC.EPERM or LibC.EACCES =>
            $"run nodeagent as root, check the permissions of {path} and its directory, and look for the immutable flag (lsattr {path}; chattr -i {path}), then run apply again",
        LibC.ENOSPC or LibC.EDQUOT => "free space (or quota) on that filesystem and run apply again",
        LibC.EROFS => "that filesystem is mounted read-only: remount it read-write and run apply again",
        LibC.ENAMETOOLONG => "shorten the configured path and run apply again",
        LibC.ENOENT => "create the missing directory or fix the configured path, then run apply again",
        _ => "fix the cause above and run apply again",
    };

    private static string Join(string directory, string name) => directory == "/" ? "/" + name : $"{directory}/{name}";

    private bool Remove(string path, FileOwner? owner, bool skipIfNotRegular)
    {
        var target = Resolve(path);
        using var directory = OpenDirectory(target, new DirectoryWalk(Writes: false, owner, PrivateLeaf: false));
        if (directory is null)
        {
            return false;
        }

        if (!TryStat(directory, target.Name, out var stat, out var errno))
        {
            if (errno is LibC.ENOENT or LibC.ENOTDIR)
            {
                return false;
            }

            throw Failure(target.FullPath, "reading its attributes before removing it", errno);
        }

        if (skipIfNotRegular && !stat.IsRegularFile)
        {
            return false;
        }

        RequireRegularFile(target.FullPath, stat);
        if (LibC.unlinkat(directory, target.Name, 0) != 0)
        {
            errno = LibC.LastErrno;
            if (errno != LibC.ENOENT)
            {
                throw Failure(target.FullPath, "removing it", errno);
            }

            return false;
        }

        SyncDirectory(directory, target.DirectoryPath);
        return true;
    }

    private (FileDescriptor Descriptor, string TempName) CreateTempFile(FileDescriptor directory, ResolvedPath target, PermissionBits mode)
    {
        var baseName = TempBaseName(target);
        for (var attempt = 0; ; attempt++)
        {
            var tempName = $".{baseName}{TempFileMarker}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";

            // Created with the final mode: the umask can only remove bits, so the file is never more
            // permissive than it will end up, and O_EXCL|O_NOFOLLOW refuse anything planted under that name.
            var descriptor = LibC.openat(directory, tempName,
                LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, mode.Native);
            if (!descriptor.IsInvalid)
            {
                if (TempFileCreated is { } observer)
                {
                    observer(Join(target.DirectoryPath, tempName), StatDescriptor(descriptor, target.FullPath).Permissions);
                }

                return (descriptor, tempName);
            }

            var errno = LibC.LastErrno;
            descriptor.Dispose();
            if (errno != LibC.EEXIST || attempt >= 5)
            {
                throw Failure(target.FullPath, $"creating a temporary file in {target.DirectoryPath}", errno);
            }
        }
    }

    /// <summary>
    /// Walks from the anchor to the target's directory one component at a time, each opened relative to the
    /// previous descriptor with O_NOFOLLOW, and judges every existing directory below the anchor (see
    /// <see cref="CheckExistingDirectory"/>). Returns null when a component is missing (or is a file) and the walk
    /// does not write; a writing walk creates missing directories and repairs a private leaf.
    /// </summary>
    private FileDescriptor? OpenDirectory(ResolvedPath target, DirectoryWalk walk)
    {
        var current = LibC.open(Anchor, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (current.IsInvalid)
        {
            var errno = LibC.LastErrno;
            current.Dispose();
            throw Failure(Anchor, "opening the trusted root directory", errno);
        }

        try
        {
            for (var index = 0; index < target.DirectoryDepth; index++)
            {
                var isLeaf = index == target.DirectoryDepth - 1;
                var next = OpenChildDirectory(current, target, index, walk, isLeaf);
                current.Dispose();
                current = next;
                if (current is null)
                {
                    return null;
                }
            }

            return current;
        }
        catch
        {
            current?.Dispose();
            throw;
        }
    }

    private ResolvedPath Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!path.StartsWith('/'))
        {
            throw new UnsafePathException(path, "is not an absolute path", "configure an absolute path");
        }

        var full = System.IO.Path.GetFullPath(path);
        if (!Contains(full) || full == Anchor)
        {
            throw new UnsafePathException(full, $"is not below the trusted root {Anchor}",
                $"configure a path below {Anchor} (or run with the matching --root)");
        }

        var relative = Anchor == "/" ? full[1..] : full[(Anchor.Length + 1)..];
        var components = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return new ResolvedPath(Anchor, components, components.Length - 1, full);
    }

    /// <summary>How to walk to a target's directory.</summary>
    /// <param name="Writes">Create missing directories (0755; a private leaf 0700 owned by <paramref name="Owner"/>)
    /// and repair an existing private leaf. A reading walk changes nothing and stops at a missing component.</param>
    /// <param name="Owner">The target file's owner: trusted to own directories on the way; a private leaf is given to it.</param>
    /// <param name="PrivateLeaf">The target's own directory is private (~/.aws).</param>
    /// <param name="AlsoTrusted">One more owner trusted for directories on the way (a rollback's new owner).</param>
    private sealed record DirectoryWalk(bool Writes, FileOwner? Owner, bool PrivateLeaf, FileOwner? AlsoTrusted = null);

    /// <summary>A path split below the anchor: <see cref="DirectoryDepth"/> directory components, then the file name.</summary>
    private sealed record ResolvedPath(string AnchorPath, string[] Components, int DirectoryDepth, string FullPath)
    {
        public string Name => Components[^1];

        public string DirectoryPath => PrefixPath(DirectoryDepth);

        /// <summary>The path of the first <paramref name="count"/> components below the anchor: what an error names.</summary>
        public string PrefixPath(int count) =>
            count == 0 ? AnchorPath : Join(AnchorPath, string.Join('/', Components, 0, count));
    }
}
