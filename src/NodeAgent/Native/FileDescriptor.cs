using System.Runtime.InteropServices;

namespace NodeAgent.Native;

/// <summary>
/// An open Linux file descriptor. A SafeHandle so a descriptor is closed exactly once even when an
/// exception unwinds past it, and so a handle in use by a P/Invoke cannot be closed underneath it.
/// </summary>
internal sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor(int descriptor)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(descriptor);
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    protected override bool ReleaseHandle() => LibC.close((int)handle.ToInt64()) == 0;
}
