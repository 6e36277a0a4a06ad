using NodeAgent.Native;

namespace NodeAgent.FileSystem;

/// <summary>
/// A fully written, synced temporary file waiting beside its target, with the verified directory still open.
/// <see cref="Commit"/> renames it over the target; disposing without committing removes it.
/// </summary>
internal sealed class StagedFile : IDisposable
{
    private readonly FileDescriptor _directory;
    private readonly string _directoryPath;
    private readonly string _tempName;
    private readonly string _targetName;
    private bool _disposed;

    public StagedFile(FileDescriptor directory, string directoryPath, string tempName, string targetName, string targetPath)
    {
        _directory = directory;
        _directoryPath = directoryPath;
        _tempName = tempName;
        _targetName = targetName;
        TargetPath = targetPath;
    }

    public string TargetPath { get; }

    /// <summary>True once the rename has happened: from then on the target holds the new content.</summary>
    public bool Renamed { get; private set; }

    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        // renameat through the directory descriptor opened without following links: a link planted at the
        // target name since staging is replaced, never written through.
        if (LibC.renameat(_directory, _tempName, _directory, _targetName) != 0)
        {
            throw SecureFileSystem.Failure(TargetPath, "renaming the new file into place", LibC.LastErrno);
        }

        Renamed = true;
        try
        {
            SecureFileSystem.SyncDirectory(_directory, _directoryPath);
        }
        catch (FileWriteException e)
        {
            throw e.WithRollback(rolledBack: false, "the new file is in place but may not survive a power loss");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!Renamed)
        {
            // Best effort: a leftover temp file is named .NAME.nodeagent-RANDOM, mode-restricted, and harmless.
            _ = LibC.unlinkat(_directory, _tempName, 0);
        }

        _directory.Dispose();
    }
}
