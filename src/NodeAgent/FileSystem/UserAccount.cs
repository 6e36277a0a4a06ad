namespace NodeAgent.FileSystem;

/// <summary>One entry of the passwd database.</summary>
public sealed record UserAccount(string Name, uint Uid, uint Gid, string Home)
{
    public FileOwner Owner => new(Uid, Gid);
}
