using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NodeAgent.Pipeline;
using NodeAgent.Planning;
using NodeAgent.Sources;

namespace NodeAgent.Cli;

/// <summary>Apply's text, diff and JSON forms. Every string that derives from file content passes the scrubber.</summary>
public static class ApplyOutput
{
    public static string Text(ApplyResult result, AgentContext context)
    {
        var plan = result.Plan;
        var b = new StringBuilder();
        b.Append($"nodeagent apply{(result.DryRun ? " --dry-run" : string.Empty)}: sources {context.SourcesDirectory}; key {plan.Set.Credentials.AccessKeyId}, region {plan.Set.Region}, {plan.Set.Buckets.Count} buckets\n");
        var width = plan.Files.Max(f => f.Path.Length);
        var ownerWidth = plan.Files.Max(f => f.OwnerDescription.Length);
        foreach (var file in plan.Files)
        {
            var action = file.Action switch
            {
                FileAction.Create => result.DryRun ? "would create" : "created",
                FileAction.Update => result.DryRun ? "would update" : "updated",
                _ => "unchanged",
            };
            var line = $"  {action,-13}{file.Path.PadRight(width + 2)}{Planner.Octal(file.Desired.Mode).PadLeft(4, '0')} {file.OwnerDescription.PadRight(ownerWidth)}"
                + (file.IsChange ? "  " + string.Join("; ", file.Reasons) : string.Empty);
            b.Append(line.TrimEnd()).Append('\n');
        }

        foreach (var note in plan.Notes)
        {
            b.Append("note: ").Append(note).Append('\n');
        }

        if (result.Containers is { } containers)
        {
            foreach (var c in containers)
            {
                b.Append("  container ").Append(c.Action.ToString().ToLowerInvariant().PadRight(10)).Append(' ')
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
        b.Append(result.DryRun
            ? $"dry run: {changed} file(s) would change, {unchanged} unchanged; nothing written.\n"
            : $"{result.WrittenPaths.Count} file(s) written, {unchanged} unchanged.\n");
        return b.ToString();
    }

    public static string Diff(Plan plan)
    {
        var b = new StringBuilder();
        foreach (var file in plan.Changes)
        {
            var oldText = file.OldContent is null ? string.Empty : Encoding.UTF8.GetString(file.OldContent);
            var newText = Encoding.UTF8.GetString(file.Desired.Content);
            var diff = UnifiedDiff.Render(file.OldContent is null ? "/dev/null" : file.Path, file.Path,
                SecretScrubber.Scrub(oldText, plan.Secrets), SecretScrubber.Scrub(newText, plan.Secrets));
            if (diff.Length == 0)
            {
                b.Append($"--- {file.Path}: {string.Join("; ", file.Reasons)} (content unchanged)\n");
            }

            b.Append(diff);
        }

        return b.ToString();
    }

    public static string Json(ApplyResult result, AgentContext context, bool withDiff)
    {
        var plan = result.Plan;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 1);
            w.WriteString("command", result.DryRun ? "apply --dry-run" : "apply");
            w.WriteString("sources", context.SourcesDirectory);
            w.WriteString("accessKeyId", plan.Set.Credentials.AccessKeyId.Masked);
            w.WriteString("region", plan.Set.Region);
            w.WriteStartObject("buckets");
            foreach (var bucket in plan.Set.Buckets)
            {
                w.WriteString(bucket.Role, bucket.Name);
            }

            w.WriteEndObject();
            w.WriteStartArray("files");
            foreach (var file in plan.Files)
            {
                w.WriteStartObject();
                w.WriteString("path", file.Path);
                w.WriteString("kind", JsonNamingPolicy.KebabCaseLower.ConvertName(file.Desired.Kind.ToString()));
                w.WriteString("action", file.Action.ToString().ToLowerInvariant());
                w.WriteBoolean("written", result.WrittenPaths.Contains(file.Path));
                w.WriteString("mode", Planner.Octal(file.Desired.Mode).PadLeft(4, '0'));
                w.WriteString("owner", file.Desired.Owner);
                w.WriteBoolean("ownerApplied", file.Owner is not null);
                w.WriteBoolean("holdsSecret", file.Desired.HoldsSecret);
                w.WriteStartArray("reasons");
                foreach (var reason in file.Reasons.Where(_ => file.IsChange))
                {
                    w.WriteStringValue(reason);
                }

                w.WriteEndArray();
                if (withDiff && file.IsChange)
                {
                    var single = plan with { Files = [file] };
                    w.WriteString("diff", Diff(single));
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("containers");
            foreach (var c in result.Containers ?? [])
            {
                w.WriteStartObject();
                w.WriteString("consumer", c.Consumer);
                w.WriteString("container", c.ContainerName);
                w.WriteString("id", c.ContainerId is { Length: > 12 } id ? id[..12] : c.ContainerId);
                w.WriteString("action", JsonNamingPolicy.KebabCaseLower.ConvertName(c.Action.ToString()));
                w.WriteString("reason", c.Reason);
                w.WriteString("fix", c.Fix);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("containersSkipped", result.ContainersSkipped);
            w.WriteStartArray("notes");
            foreach (var note in plan.Notes)
            {
                w.WriteStringValue(note);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
