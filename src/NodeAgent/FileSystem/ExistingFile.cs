namespace NodeAgent.FileSystem;

/// <summary>
/// A regular file as found on disk. <see cref="Mode"/> holds only the permission bits (mode &amp; 07777).
/// ToString never shows the content: it may hold a secret.
/// </summary>
public sealed record ExistingFile(byte[] Content, int Mode, uint Uid, uint Gid)
{
    public FileOwner Owner => new(Uid, Gid);

    public override string ToString() =>
        $"ExistingFile {{ {Content.Length} bytes, Mode = {Convert.ToString(Mode, 8)}, Owner = {Uid}:{Gid} }}";
}
