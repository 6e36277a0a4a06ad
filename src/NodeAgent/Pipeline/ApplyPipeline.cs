using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Containers;
using NodeAgent.FileSystem;
using NodeAgent.Planning;
using NodeAgent.Rendering;
using NodeAgent.Sources;

namespace NodeAgent.Pipeline;

/// <param name="LockWait">How long to wait for another apply on this host to finish (see <see cref="ApplyLock"/>).</param>
/// <param name="Waiting">Told once when the wait begins, so an operator knows why nothing happens.</param>
public sealed record ApplyRequest(bool DryRun, bool Restart, TimeSpan LockWait, Action<string>? Waiting = null);

/// <param name="Containers">What was done to each consumer; null when the step did not run.</param>
/// <param name="ContainersSkipped">Why the container step did not run (dry run, --no-restart).</param>
public sealed record ApplyResult(
    Plan Plan,
    IReadOnlyList<string> WrittenPaths,
    bool DryRun,
    IReadOnlyList<ContainerOutcome>? Containers,
    string? ContainersSkipped)
{
    public bool ContainersFailed => Containers?.Any(c => c.Action == ContainerAction.Failed) == true;

    /// <summary>Per failure domain: rotated, unchanged, refused (unsafe path) or failed. A dry run lists only the refused.</summary>
    public IReadOnlyList<DomainResult> Domains { get; init; } = [];

    public bool SomeDomainsNotRotated => Domains.Any(d => d.NotRotated);
}

/// <summary>
/// Load → Render → Plan → Write → Restart: the one code path behind `apply`, the daemon's reconcile and
/// `verify`'s drift check (which stops after Plan). Each step takes the previous step's value; nothing re-reads a source.
/// </summary>
public sealed class ApplyPipeline(AgentContext context, ILoggerFactory? loggers = null)
{
    private readonly SecureFileSystem _fileSystem = new(context.Paths.Root ?? "/");

    /// <summary>Anchored at the sandbox root (or /): every read and write below it refuses symlinks.</summary>
    public SecureFileSystem FileSystem => _fileSystem;
    private readonly ILoggerFactory _loggers = loggers ?? NullLoggerFactory.Instance;

    public CredentialSet LoadSources() => SourceLoader.Load(context.SourcesDirectory, context.Options);

    public Plan PlanFor(CredentialSet set)
    {
        var rendered = new TargetRenderer(context.Options).Render(set);
        var planner = new Planner(context.Paths, _fileSystem, new OwnershipResolver(context.Paths, context.ConfigFile));
        return planner.Plan(set, rendered);
    }

    /// <summary>A domain holding an unsafe target is refused whole; the others are applied (see <see cref="FailureDomains"/>).</summary>
    private static List<DomainResult> Refused(Plan plan) =>
        plan.RefusedDomains.Select(d => new DomainResult(d.Name, DomainStatus.Refused, [], new UnsafeTargetsException(d.Problems))).ToList();

    public async Task<ApplyResult> ApplyAsync(ApplyRequest request, CancellationToken ct)
    {
        var set = LoadSources();
        var plan = PlanFor(set);
        if (request.DryRun)
        {
            return new ApplyResult(plan, [], true, null, "dry run") { Domains = Refused(plan) };
        }

        // Invalid input was refused above without touching anything; from here on one apply at a time, and the
        // plan is made again under the lock, since one made while another apply was writing would be stale.
        using var held = await ApplyLock.AcquireAsync(context.StateDirectory, request.LockWait, request.Waiting ?? (_ => { }), ct, _fileSystem);
        plan = PlanFor(set);

        var domains = plan.Files.Where(f => !plan.IsRefused(f.Domain)).GroupBy(f => f.Domain, StringComparer.Ordinal)
            .Select(g => new FileDomain(g.Key, g.Select(f => new DesiredFile(f.Path, f.Desired.Content, f.Desired.Mode, f.Owner, f.Desired.PrivateParent)).ToList()))
            .ToList();
        var results = new FileSetTransaction(_fileSystem, context.BackupDirectory).ApplyDomains(domains).Concat(Refused(plan)).ToList();
        var written = results.SelectMany(d => d.WrittenPaths).ToList();
        if (!request.Restart)
        {
            return new ApplyResult(plan, written, false, null, "--no-restart") { Domains = results };
        }

        // Run even when no file changed: a consumer whose environment is still stale (an earlier apply that was
        // interrupted, a container recreated by hand from an old env file) is brought up to date all the same.
        var updater = new ConsumerUpdater(new DockerClientFactory(context.Options.Containers), context.Options.Containers,
            _loggers.CreateLogger<ConsumerUpdater>());
        var environment = EnvFileRenderer.DockerEnvironment(plan.Set);
        // Sandboxed (--root): only containers that bind-mount something under the root are touched, never the host's.
        var outcomes = await updater.UpdateAsync(new ConsumerUpdateRequest(written, environment, context.Paths.Root), ct);
        return new ApplyResult(plan, written, false, outcomes, null) { Domains = results };
    }
}
