namespace NodeAgent.Configuration;

/// <summary>
/// Maps host paths (as configured) to the paths actually touched. With --root every absolute path lives
/// under that directory, so the demo and tests render a whole host layout into a sandbox.
/// </summary>
public sealed class PathMap
{
    /// <param name="root">Null for the host itself. "/" is the host too: it must not quietly drop owners as a sandbox would.</param>
    public PathMap(string? root)
    {
        if (root is not null && root.Trim().Length == 0)
        {
            throw new ArgumentException("an empty root would silently mean the real host", nameof(root));
        }

        var full = root is null ? null : System.IO.Path.GetFullPath(root);
        Root = full == "/" ? null : full;
    }

    /// <summary>The sandbox root, or null on a real host.</summary>
    public string? Root { get; }

    public bool IsSandboxed => Root is not null;

    public string Map(string hostPath)
    {
        if (Root is null)
        {
            return hostPath;
        }

        // Resolved as a host path first: "/../../tmp/x" is "/tmp/x" on a host, so under --root it must stay below the root.
        return System.IO.Path.Join(Root, HostPath.Normalize("/" + hostPath.TrimStart('/')).TrimStart('/'));
    }
}
