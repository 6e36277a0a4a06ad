using System.Diagnostics;
using System.Text;

using NodeAgent.FileSystem;
using NodeAgent.Native;

namespace NodeAgent.Tests.FileSystem;

/// <summary>What is on disk, read with lstat semantics (statx, AT_SYMLINK_NOFOLLOW).</summary>
public static class OnDisk
{
    public static PermissionBits Mode(string path) => Stat(path).Permissions;

    /// <summary>Octal("600") is mode 0600, read the way configuration text is.</summary>
    public static PermissionBits Octal(string digits) => PermissionBits.Parse(digits);

    public static string Text(string path) => File.ReadAllText(path);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    internal static LibC.StatxBuffer Stat(string path)
    {
        if (LibC.statx(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var stat) != 0)
        {
            throw new IOException($"statx {path}: {LibC.Describe(LibC.LastErrno)}");
        }

        return stat;
    }
}

/// <summary>The unprivileged account files are given to in owner tests; created once, reused afterwards.</summary>
public static class TestUser
{
    public const string Name = "nodeagent-test";
    private static readonly Lock Gate = new();

    public static UserAccount Ensure()
    {
        lock (Gate)
        {
            if (UserDirectory.Find(Name) is { } existing)
            {
                return existing;
            }

            TempTree.Run("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                "--shell", "/usr/sbin/nologin", "--user-group", Name);
            return UserDirectory.Find(Name) ?? throw new InvalidOperationException($"useradd {Name} succeeded but getpwnam does not find it");
        }
    }
}

/// <summary>A fact that needs root (fchown to another user, chattr). CI runs as root, so these run there.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!ProcessIdentity.IsRoot)
        {
            Skip = "needs root: giving files to another user and chattr +i are root-only; CI runs the tests as root";
        }
    }
}

/// <summary>Tests that change the process-wide umask run alone so no other test creates files meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessUmaskCollection
{
    public const string Name = "process umask";
}

/// <summary>A throwaway directory under /tmp; clears immutable flags it set before deleting itself.</summary>
public sealed class TempTree : IDisposable
{
    private readonly List<string> _immutable = [];

    public TempTree()
    {
        Root = Directory.CreateTempSubdirectory("nodeagent-writer-").FullName;
    }

    public string Root { get; }

    public string this[string relative] => Path.Combine(Root, relative);

    public string WriteFile(string relative, string content, PermissionBits mode)
    {
        var path = this[relative];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode.ToUnixFileMode());
        return path;
    }

    public void MakeImmutable(string path)
    {
        Chattr("+i", path);
        _immutable.Add(path);
    }

    /// <summary>Every NodeAgent temp file anywhere in the tree.</summary>
    public IReadOnlyList<string> TempFiles() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(p => SecureFileSystem.IsTempFileName(Path.GetFileName(p)))
            .ToList();

    public void Dispose()
    {
        foreach (var path in _immutable)
        {
            Chattr("-i", path);
        }

        Directory.Delete(Root, recursive: true);
    }

    internal static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {error}");
        }
    }

    private static void Chattr(string flag, string path) => Run("chattr", flag, path);
}
