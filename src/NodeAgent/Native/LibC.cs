using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

using NodeAgent.FileSystem;

namespace NodeAgent.Native;

/// <summary>
/// The few libc calls .NET does not expose on descriptors: *at() path resolution relative to a directory
/// handle, fchown/fchmod on an open file, statx without following links, and the passwd database.
/// Everything here is Linux-only; NodeAgent ships for linux-x64 (and builds for linux-arm64).
/// </summary>
internal static unsafe partial class LibC
{
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;       // 0100
    public const int O_EXCL = 0x80;        // 0200
    public const int O_NONBLOCK = 0x800;   // 04000
    public const int O_CLOEXEC = 0x80000;  // 02000000

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;

    public const uint STATX_BASIC_STATS = 0x7ff;

    public const int S_IFMT = 0xF000;
    public const int S_IFREG = 0x8000;
    public const int S_IFDIR = 0x4000;
    public const int S_IFLNK = 0xA000;

    public const int LOCK_SH = 1;
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int EWOULDBLOCK = 11;     // EAGAIN

    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int ENOSPC = 28;
    public const int EROFS = 30;
    public const int ERANGE = 34;
    public const int ENAMETOOLONG = 36;
    public const int ELOOP = 40;
    public const int EDQUOT = 122;

    // O_DIRECTORY and O_NOFOLLOW are the two open flags whose values differ between x86-64 and arm64.
    public static readonly int O_DIRECTORY =
        RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x4000 : 0x10000;

    public static readonly int O_NOFOLLOW =
        RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;

    private const string Library = "libc";

    /// <summary>The errno of the last P/Invoke on this thread.</summary>
    public static int LastErrno => Marshal.GetLastPInvokeError();

    // open/openat return a C int: returning a SafeHandle directly would read a 64-bit register whose upper
    // half is undefined, so -1 could look valid. Wrap the int instead.
    public static FileDescriptor open(string path, int flags, uint mode) => new(open_raw(path, flags, mode));

    [LibraryImport(Library, SetLastError = true)]
    public static partial int flock(FileDescriptor fd, int operation);

    public static FileDescriptor openat(FileDescriptor dirfd, string path, int flags, uint mode) =>
        new(openat_raw(dirfd, path, flags, mode));

    [LibraryImport(Library, EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkdirat(FileDescriptor dirfd, string path, uint mode);

    [LibraryImport(Library, EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int renameat(FileDescriptor olddirfd, string oldpath, FileDescriptor newdirfd, string newpath);

    [LibraryImport(Library, EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int unlinkat(FileDescriptor dirfd, string path, int flags);

    [LibraryImport(Library, EntryPoint = "fchown", SetLastError = true)]
    public static partial int fchown(FileDescriptor fd, uint owner, uint group);

    [LibraryImport(Library, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int fchmod(FileDescriptor fd, uint mode);

    [LibraryImport(Library, EntryPoint = "fsync", SetLastError = true)]
    public static partial int fsync(FileDescriptor fd);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint read(FileDescriptor fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint write(FileDescriptor fd, byte* buffer, nuint count);

    // statx rather than fstat/fstatat: its struct layout is the same on every architecture.
    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(FileDescriptor dirfd, string path, int flags, uint mask, out StatxBuffer buffer);

    /// <summary>statx by path relative to the working directory (AT_FDCWD): for tests and diagnostics, never for decisions.</summary>
    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(int dirfd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport(Library, EntryPoint = "getpwnam_r", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int getpwnam_r(string name, Passwd* pwd, byte* buffer, nuint bufferLength, Passwd** result);

    [LibraryImport(Library, EntryPoint = "geteuid")]
    public static partial uint geteuid();

    [LibraryImport(Library, EntryPoint = "getegid")]
    public static partial uint getegid();

    [LibraryImport(Library, EntryPoint = "umask")]
    public static partial uint umask(uint mask);

    /// <summary>strerror(errno), e.g. "Operation not permitted".</summary>
    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>Reads a NUL-terminated UTF-8 string owned by libc.</summary>
    public static string ReadString(byte* text) =>
        text is null ? string.Empty : Marshal.PtrToStringUTF8((nint)text) ?? string.Empty;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Interrupted(int errno) => errno == EINTR;

    /// <summary>
    /// Reads from the descriptor until end of file, or until more than <paramref name="limit"/> bytes arrived (then
    /// limit + 1 bytes are returned, so the caller can tell "too large" without reading a huge file whole).
    /// Returns 0, or the errno of a failed read; EINTR is retried.
    /// </summary>
    public static int ReadToEnd(FileDescriptor descriptor, int limit, ulong sizeHint, out byte[] content)
    {
        var buffer = new byte[(int)Math.Min(Math.Max(4096UL, sizeHint + 1), (ulong)limit + 1)];
        var length = 0;
        while (length <= limit)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, (long)limit + 1));
            }

            nint count;
            fixed (byte* start = buffer)
            {
                count = read(descriptor, start + length, (nuint)(buffer.Length - length));
            }

            if (count < 0)
            {
                var errno = LastErrno;
                if (Interrupted(errno))
                {
                    continue;
                }

                content = [];
                return errno;
            }

            if (count == 0)
            {
                break;
            }

            length += (int)count;
        }

        content = buffer[..length];
        return 0;
    }

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open_raw(string path, int flags, uint mode);

    [LibraryImport(Library, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int openat_raw(FileDescriptor dirfd, string path, int flags, uint mode);

    /// <summary>struct passwd (64-bit Linux layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Passwd
    {
        public byte* Name;
        public byte* Password;
        public uint Uid;
        public uint Gid;
        public byte* Gecos;
        public byte* Dir;
        public byte* Shell;
    }

    /// <summary>struct statx: the fields NodeAgent reads, padded to the kernel's 256 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct StatxBuffer
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(16)] public uint LinkCount;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(96)] public long ChangeTimeSeconds;
        [FieldOffset(104)] public uint ChangeTimeNanoseconds;
        [FieldOffset(112)] public long ModifyTimeSeconds;
        [FieldOffset(120)] public uint ModifyTimeNanoseconds;

        public readonly int FileType => Mode & S_IFMT;

        public readonly PermissionBits Permissions => PermissionBits.FromStatMode(Mode);

        public readonly bool IsRegularFile => FileType == S_IFREG;

        public readonly bool IsDirectory => FileType == S_IFDIR;

        public readonly bool IsSymbolicLink => FileType == S_IFLNK;
    }
}
