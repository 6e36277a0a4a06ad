using System.Text;

using NodeAgent.Pipeline;
using NodeAgent.Planning;

namespace NodeAgent.Cli;

/// <summary>Apply's text form: one line per file and per container, then a summary. JSON is the report of <see cref="Reconciler"/>.</summary>
public static class ApplyOutput
{
    /// <param name="origin">Where the sources were read ("ssm:/expanso/s3-config (version 3)"); null: the sources directory.</param>
    public static string Text(ApplyResult result, AgentContext context, RotationCheck? rotation = null, string? origin = null)
    {
        var plan = result.Plan;
        var b = new StringBuilder();
        var identity = plan.Set.Credentials is { } keys ? $"key {keys.AccessKeyId}" : "no keys";
        b.Append($"nodeagent apply{(result.DryRun ? " --dry-run" : string.Empty)}: sources {origin ?? context.SourcesDirectory}; {identity}, region {plan.Set.Region}, {plan.Set.Buckets.Count} buckets\n");
        b.Append($"credentials: {plan.Set.Choice.Name} ({plan.Set.Choice.Reason})\n");
        var width = plan.Files.Max(f => f.Path.Length);
        var ownerWidth = plan.Files.Max(f => f.OwnerDescription.Length);
        foreach (var file in plan.Files)
        {
            var action = plan.IsRefused(file.Domain) ? "refused" : file.Action switch
            {
                FileAction.Create => result.DryRun ? "would create" : "created",
                FileAction.Update => result.DryRun ? "would update" : "updated",
                FileAction.Remove => result.DryRun ? "would remove" : "removed",
                _ => "unchanged",
            };
            var line = $"  {action,-13}{file.Path.PadRight(width + 2)}{file.Desired.Mode} {file.OwnerDescription.PadRight(ownerWidth)}"
                + (file.IsChange ? "  " + string.Join("; ", file.Reasons) : string.Empty);
            b.Append(line.TrimEnd()).Append('\n');
        }

        if (rotation is { Verdict: not (RotationVerdict.NoChange or RotationVerdict.FirstPlacement) })
        {
            b.Append("rotation: ").Append(rotation.Message).Append('\n');
        }

        foreach (var domain in result.Domains.Where(d => d.NotRotated))
        {
            var state = domain.Failure is FileSystem.FileWriteException { RolledBack: false }
                ? "some of its files may hold the new content" : "its files keep their previous content";
            b.Append($"  {domain.Status.ToString().ToLowerInvariant(),-13}{domain.Name}: not rotated, {state} (see the error below)\n");
        }

        foreach (var note in plan.Notes)
        {
            b.Append("note: ").Append(note).Append('\n');
        }

        if (result.Containers is { } containers)
        {
            foreach (var c in containers)
            {
                b.Append("  container ").Append(System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(c.Action.ToString()).PadRight(10)).Append(' ')
                    .Append((c.ContainerName ?? c.Consumer).PadRight(24)).Append(' ').Append(c.Reason);
                if (c.Fix is { } fix && c.Action == Containers.ContainerAction.Failed)
                {
                    b.Append(" — fix: ").Append(fix);
                }

                b.Append('\n');
            }
        }
        else if (result.ContainersSkipped is { } skipped)
        {
            b.Append("  containers not touched: ").Append(skipped).Append('\n');
        }

        var changed = plan.Changes.Count();
        var unchanged = plan.Files.Count - changed;
        var removals = plan.Files.Where(f => f.Action == FileAction.Remove).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var removed = result.WrittenPaths.Count(removals.Contains);
        b.Append(result.DryRun
            ? $"dry run: {changed} file(s) would change, {unchanged} unchanged; nothing written.\n"
            : $"{result.WrittenPaths.Count - removed} file(s) written, {(removed > 0 ? $"{removed} removed, " : "")}{unchanged} unchanged.\n");
        return b.ToString();
    }
}
