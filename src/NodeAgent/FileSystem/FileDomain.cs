using NodeAgent.Failures;

namespace NodeAgent.FileSystem;

public enum DomainStatus
{
    /// <summary>At least one file of the domain was written; every file of it now holds the new set.</summary>
    Rotated,

    /// <summary>Every file was already as desired.</summary>
    Unchanged,

    /// <summary>An unsafe path (symlink, foreign directory) was found while planning: nothing of the domain was touched.</summary>
    Refused,

    /// <summary>A write failed: see <see cref="DomainResult.Failure"/> for what is on disk now.</summary>
    Failed,
}

/// <summary>
/// Files that rotate together or not at all: one home's ~/.aws pair, or the shared /opt/sensor set. Separate domains
/// fail separately, so a user who breaks their own home cannot hold back root's keys or docker.env.
/// </summary>
public sealed record FileDomain(string Name, IReadOnlyList<DesiredFile> Files);

/// <summary>
/// What happened to one domain: the data the reporter and a reconciler act on (report exactly which domains rotated,
/// restart only the consumers of those).
/// </summary>
/// <param name="Failure">Why a refused or failed domain did not rotate (UnsafePathException, UnsafeTargetsException or
/// FileWriteException; the message names path, cause, fix and what is on disk); null otherwise.</param>
public sealed record DomainResult(string Name, DomainStatus Status, IReadOnlyList<string> WrittenPaths, Exception? Failure = null)
{
    public bool Rotated => Status == DomainStatus.Rotated;

    public bool NotRotated => Status is DomainStatus.Refused or DomainStatus.Failed;
}

/// <summary>Some domains did not rotate (the others did, and the output already said so): exit 3.</summary>
public sealed class PartialRotationException(IReadOnlyList<DomainResult> domains)
    : AgentException($"not rotated: {string.Join(", ", domains.Where(d => d.NotRotated).Select(d => d.Name))}")
{
    public IReadOnlyList<DomainResult> Domains { get; } = domains;

    public override int ExitCode => Cli.ExitCodes.WriteFailed;

    public override string Phase => "write";

    public override IReadOnlyList<AgentProblem> Problems => Domains.Where(d => d.NotRotated)
        .SelectMany(d => d.Failure is AgentException failure
            ? failure.Problems
            : [new AgentProblem(d.Name, d.Failure?.Message ?? d.Status.ToString(), "run nodeagent apply again")])
        .Distinct().ToList();

    public override string? Closing(bool writes)
    {
        static string Names(IEnumerable<DomainResult> domains) =>
            domains.Any() ? string.Join(", ", domains.Select(d => d.Name)) : "none";
        var torn = Domains.Where(d => d.Failure is FileWriteException { RolledBack: false }).ToList();
        return $"nodeagent: not rotated: {Names(Domains.Where(d => d.NotRotated))} ("
            + (torn.Count == 0 ? "each keeps its previous files" : $"{Names(torn)} could not be fully restored, see above")
            + $"); rotated: {Names(Domains.Where(d => d.Rotated))}; unchanged: {Names(Domains.Where(d => d.Status == DomainStatus.Unchanged))}.";
    }
}
