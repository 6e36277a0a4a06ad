namespace NodeAgent.Configuration;

/// <summary>
/// Maps host paths (as configured) to the paths actually touched. With --root every absolute path lives
/// under that directory, so the demo and tests render a whole host layout into a sandbox.
/// </summary>
public sealed class PathMap
{
    public PathMap(string? root)
    {
        Root = string.IsNullOrEmpty(root) ? null : System.IO.Path.GetFullPath(root);
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

        return System.IO.Path.Join(Root, hostPath.TrimStart('/'));
    }
}
