namespace NodeAgent.Configuration;

/// <summary>Comparing absolute paths by whole segments: "/tmp/box-host" is not under "/tmp/box".</summary>
public static class HostPath
{
    /// <summary>Absolute, "." and ".." resolved, no trailing slash (except "/" itself).</summary>
    public static string Normalize(string path)
    {
        var full = Path.GetFullPath(path);
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or lies below it; both normalized.</summary>
    public static bool IsSameOrUnder(string path, string root) =>
        path == root || path.StartsWith(root == "/" ? "/" : root + "/", StringComparison.Ordinal);
}
