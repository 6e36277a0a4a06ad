using NodeAgent.Native;

namespace NodeAgent.FileSystem;

/// <summary>Looks users up through libc (getpwnam_r), so NSS sources beyond /etc/passwd are honoured.</summary>
public static class UserDirectory
{
    private const int InitialBufferBytes = 1024;
    private const int MaxBufferBytes = 1024 * 1024;

    /// <summary>The account named <paramref name="name"/>, or null when there is no such user.</summary>
    public static unsafe UserAccount? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains('\0'))
        {
            return null;
        }

        for (var size = InitialBufferBytes; size <= MaxBufferBytes; size *= 2)
        {
            var buffer = new byte[size];
            LibC.Passwd entry;
            LibC.Passwd* result = null;
            int status;
            fixed (byte* bytes = buffer)
            {
                status = LibC.getpwnam_r(name, &entry, bytes, (nuint)size, &result);
#pragma warning disable CA1508 // getpwnam_r sets result through the pointer; the analyzer only sees the null it started as.
                if (status == 0 && result is not null)
#pragma warning restore CA1508
                {
                    return new UserAccount(
                        LibC.ReadString(entry.Name), entry.Uid, entry.Gid, LibC.ReadString(entry.Dir));
                }
            }

            if (status == LibC.ERANGE)
            {
                continue;
            }

            if (status is 0 or LibC.ENOENT or LibC.EPERM)
            {
                // glibc reports "no such user" as 0 with a null result; some NSS modules use ENOENT/EPERM.
                return null;
            }

            throw new InvalidOperationException(
                $"looking up user '{name}' failed: {LibC.Describe(status)} — check /etc/nsswitch.conf and the passwd database");
        }

        throw new InvalidOperationException(
            $"looking up user '{name}' failed: its passwd entry is larger than {MaxBufferBytes} bytes — check the passwd database");
    }
}
