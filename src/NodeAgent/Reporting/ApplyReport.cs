using NodeAgent.Containers;
using NodeAgent.Pipeline;
using NodeAgent.Planning;

namespace NodeAgent.Reporting;

/// <summary>An apply (or dry run, or daemon cycle) as report steps: one per file and one per container.</summary>
public static class ApplyReport
{
    public static IReadOnlyList<StepEntry> FileSteps(ApplyResult result, bool withDiff) =>
        result.Plan.Files.Select(f => FileStep(f, result, withDiff)).ToList();

    public static IReadOnlyList<StepEntry> ContainerSteps(ApplyResult result) =>
        (result.Containers ?? []).Select(ContainerStep).ToList();

    private static StepEntry FileStep(FileChange file, ApplyResult result, bool withDiff)
    {
        var mode = Planner.Octal(file.Desired.Mode).PadLeft(4, '0');
        var desired = $"{mode} {file.OwnerDescription}";
        if (!file.IsChange)
        {
            return new StepEntry("write", file.Path, StepStatus.Ok, $"unchanged, {desired}", null, 0);
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
