using NodeAgent.Native;

namespace NodeAgent.FileSystem;

/// <summary>The effective user and group the agent runs as: the owner of anything it creates without an explicit owner.</summary>
public static class ProcessIdentity
{
    public static bool IsRoot => LibC.geteuid() == 0;

    public static FileOwner Current => new(LibC.geteuid(), LibC.getegid());
}
