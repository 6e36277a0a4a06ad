using System.Text;

using NodeAgent.FileSystem;

namespace NodeAgent.Reporting;

/// <summary>A report read back from disk and how old it is (now minus its generatedAt; never negative).</summary>
public sealed record LastReport(Report Report, TimeSpan Age);

/// <summary>
/// Keeps the last report at a path (by default <see cref="DefaultFileName"/> in the state directory) so
/// `nodeagent status` can show it without probing again. Written atomically: a reader sees the old report or the new
/// one, never half of one. Mode 0644 on purpose: the report holds no secret and monitoring may read it.
/// </summary>
public sealed class LastReportStore(TimeProvider? clock = null, SecureFileSystem? fileSystem = null)
{
    public const string DefaultFileName = "last-report.json";

    private static readonly PermissionBits ReportMode = PermissionBits.OwnerWriteAllRead;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    private readonly SecureFileSystem _fileSystem = fileSystem ?? new SecureFileSystem("/");

    /// <summary>
    /// Atomically replaces the report through the same no-follow, fsync-and-rename writer as every target. 0644: it
    /// holds no secret, and operators read it without sudo.
    /// </summary>
    public void Write(Report report, string path)
    {
        var bytes = Encoding.UTF8.GetBytes(ReportJson.Serialize(report) + "\n");
        _fileSystem.Write(new DesiredFile(Path.GetFullPath(path), bytes, ReportMode, Owner: null, PrivateParent: false));
    }

    /// <summary>
    /// The stored report and its age, or null when none was written yet. A file that is not a readable report throws
    /// <see cref="InvalidDataException"/> naming the path.
    /// </summary>
    public LastReport? Read(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        Report? report;
        try
        {
            report = ReportJson.Deserialize(json);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}; delete it or run nodeagent verify to write a new one", e);
        }

        if (report is null)
        {
            throw new InvalidDataException($"{path}: holds no report; delete it or run nodeagent verify to write a new one");
        }

        var age = _clock.GetUtcNow() - report.GeneratedAt;
        return new LastReport(report, age < TimeSpan.Zero ? TimeSpan.Zero : age);
    }
}
