using System.Runtime.InteropServices;

namespace NodeAgent.Native;

/// <summary>
/// An open Linux file descriptor. A SafeHandle so a descriptor is closed exactly once even when an
/// exception unwinds past it, and so a handle in use by a P/Invoke cannot be closed underneath it.
/// </summary>
internal sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The raw descriptor number, for diagnostics only; calls take the handle itself.</summary>
    public int Number => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => LibC.close((int)handle.ToInt64()) == 0;
}
