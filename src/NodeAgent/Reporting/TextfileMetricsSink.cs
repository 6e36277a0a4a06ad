using System.Text;

using NodeAgent.FileSystem;

namespace NodeAgent.Reporting;

/// <summary>
/// reporting.textfile.path: the report as metrics for node_exporter's textfile collector, rewritten after every apply,
/// verify and daemon cycle. Written only when its directory exists: the directory is node_exporter's (a host without
/// it has no collector to feed), so it is never created here. Written like every target (temp file in the same
/// directory, fsync, rename, no link followed), which is the atomic replace the collector's documentation asks for;
/// the temp name (".nodeagent.prom.nodeagent-…") does not end in .prom, so the collector never reads half a file.
/// Mode 0644: it holds no secret, and node_exporter runs as its own user.
/// </summary>
public sealed class TextfileMetricsSink(SecureFileSystem fileSystem, string path) : IReportSink
{
    private static readonly PermissionBits MetricsMode = PermissionBits.OwnerWriteAllRead;

    public string Destination => path;

    public Task PublishAsync(Report report, CancellationToken ct) => PublishAsync(report, CycleFacts.None, ct);

    public Task PublishAsync(Report report, CycleFacts facts, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var full = Path.GetFullPath(path);
        // Checked, not created: SecureFileSystem.Write would make missing directories, and this one is not ours.
        if (!Directory.Exists(Path.GetDirectoryName(full)))
        {
            return Task.CompletedTask;
        }

        var bytes = Encoding.UTF8.GetBytes(TextfileMetrics.Render(report, facts));
        fileSystem.Write(new DesiredFile(full, bytes, MetricsMode, Owner: null, PrivateParent: false));
        return Task.CompletedTask;
    }
}
