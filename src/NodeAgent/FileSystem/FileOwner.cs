namespace NodeAgent.FileSystem;

/// <summary>Numeric owner of a file or directory.</summary>
public sealed record FileOwner(uint Uid, uint Gid)
{
    public override string ToString() => $"{Uid}:{Gid}";
}
