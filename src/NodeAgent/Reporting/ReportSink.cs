using NodeAgent.FileSystem;

namespace NodeAgent.Reporting;

/// <summary>Where a finished report goes: the last-report file, node_exporter's textfile, an S3 prefix for the fleet next.</summary>
public interface IReportSink
{
    /// <summary>Where, for the warning an operator reads when publishing fails.</summary>
    string Destination { get; }

    /// <exception cref="Failures.AgentException">when the report could not be published; the run itself still counts.</exception>
    Task PublishAsync(Report report, CancellationToken ct);

    /// <summary>What the Reconciler calls: the report and the facts of its run. Sinks that need only the report keep the short form.</summary>
    /// <exception cref="Failures.AgentException">when the report could not be published; the run itself still counts.</exception>
    Task PublishAsync(Report report, CycleFacts facts, CancellationToken ct) => PublishAsync(report, ct);
}

/// <summary>STATE/last-report.json, written through the no-follow writer: what `status` and a later SSH look read.</summary>
public sealed class LastReportFileSink(SecureFileSystem fileSystem, string path) : IReportSink
{
    public string Destination => path;

    public Task PublishAsync(Report report, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        new LastReportStore(fileSystem: fileSystem).Write(report, path);
        return Task.CompletedTask;
    }
}
