using NodeAgent.FileSystem;
using NodeAgent.Planning;
using NodeAgent.Rendering;
using NodeAgent.Sources;

namespace NodeAgent.Pipeline;

public sealed record ApplyRequest(bool DryRun, bool Restart);

public sealed record ApplyResult(Plan Plan, IReadOnlyList<string> WrittenPaths, bool DryRun);

/// <summary>
/// Load → Render → Plan → Write: the one code path behind `apply`, the daemon's reconcile and `verify`'s drift
/// check (which stops after Plan). Each step takes the previous step's value; nothing re-reads a source.
/// </summary>
public sealed class ApplyPipeline(AgentContext context)
{
    private readonly SecureFileSystem _fileSystem = new(context.Paths.Root ?? "/");

    public CredentialSet LoadSources() => SourceLoader.Load(context.SourcesDirectory, context.Options);

    public Plan PlanFor(CredentialSet set)
    {
        var rendered = new TargetRenderer(context.Options).Render(set);
        var planner = new Planner(context.Paths, _fileSystem, new OwnershipResolver(context.Paths, context.ConfigFile));
        return planner.Plan(set, rendered);
    }

    public ApplyResult Apply(ApplyRequest request)
    {
        var plan = PlanFor(LoadSources());
        if (request.DryRun)
        {
            return new ApplyResult(plan, [], true);
        }

        var desired = plan.Files
            .Select(f => new DesiredFile(f.Path, f.Desired.Content, f.Desired.Mode, f.Owner, f.Desired.PrivateParent))
            .ToList();
        var written = new FileSetTransaction(_fileSystem, context.BackupDirectory).Apply(desired);
        return new ApplyResult(plan, written, false);
    }
}
