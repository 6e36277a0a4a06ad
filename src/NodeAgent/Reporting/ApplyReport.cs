using NodeAgent.Containers;
using NodeAgent.FileSystem;
using NodeAgent.Pipeline;
using NodeAgent.Planning;

namespace NodeAgent.Reporting;

/// <summary>An apply (or dry run, or daemon cycle) as report steps: one per file and one per container.</summary>
public static class ApplyReport
{
    public static IReadOnlyList<StepEntry> FileSteps(ApplyResult result, bool withDiff) =>
        result.Plan.UnsafeTargets
            .Select(u => new StepEntry("write", u.Path, StepStatus.Failed, $"refused: {u.Why}", u.Fix, 0))
            .Concat(result.Plan.Files.Select(f => FileStep(f, result, withDiff))).ToList();

    public static IReadOnlyList<StepEntry> ContainerSteps(ApplyResult result) =>
        (result.Containers ?? []).Select(ContainerStep).ToList();

    private static StepEntry FileStep(FileChange file, ApplyResult result, bool withDiff)
    {
        if (result.Domains.FirstOrDefault(d => d.Name == file.Domain) is { NotRotated: true } domain)
        {
            var (cause, fix) = domain.Failure switch
            {
                UnsafeTargetsException u => (u.UnsafePaths[0].Why, u.UnsafePaths[0].Fix),
                UnsafePathException u => (u.Why, u.Fix),
                FileWriteException w => (w.What, w.Fix),
                _ => (domain.Status.ToString(), "run apply again"),
            };
            return new StepEntry("write", file.Path, StepStatus.Failed,
                $"not written: {domain.Name} {domain.Status.ToString().ToLowerInvariant()}: {cause}", fix, 0);
        }

        var mode = file.Desired.Mode.ToString();
        var desired = $"{mode} {file.OwnerDescription}";
        if (!file.IsChange)
        {
            return new StepEntry("write", file.Path, StepStatus.Ok, file.Desired.Absent ? "absent, as it must be" : $"unchanged, {desired}", null, 0);
        }

        if (file.Action == FileAction.Remove)
        {
            var removal = withDiff ? ApplyDiff.Render(result.Plan, file) : null;
            var reasons = string.Join("; ", file.Reasons);
            return result.DryRun
                ? new StepEntry("remove", file.Path, StepStatus.Skipped, $"would remove: {reasons}", null, 0, removal)
                : new StepEntry("remove", file.Path, StepStatus.Changed, $"removed: {reasons}", null, 0, removal);
        }

        var why = string.Join("; ", file.Reasons);
        var diff = withDiff ? ApplyDiff.Render(result.Plan, file) : null;
        return result.DryRun
            ? new StepEntry("write", file.Path, StepStatus.Skipped, $"would {Verb(file)}: {why}; {desired}", null, 0, diff)
            : new StepEntry("write", file.Path, StepStatus.Changed, $"{Verb(file)}d: {why}; {desired}", null, 0, diff);
    }

    private static string Verb(FileChange file) => file.Action == FileAction.Create ? "create" : "update";

    private static StepEntry ContainerStep(ContainerOutcome c) => new(
        c.Action switch
        {
            ContainerAction.Recreated => "recreate",
            ContainerAction.Restarted => "restart",
            _ => "check",
        },
        c.ContainerName ?? c.Consumer,
        c.Action switch
        {
            ContainerAction.Restarted or ContainerAction.Recreated => StepStatus.Changed,
            ContainerAction.Unchanged => StepStatus.Ok,
            ContainerAction.NotFound => StepStatus.Skipped,
            _ => StepStatus.Failed,
        },
        c.Reason,
        c.Action == ContainerAction.Failed || c.Action == ContainerAction.NotFound ? c.Fix : null,
        0);
}
