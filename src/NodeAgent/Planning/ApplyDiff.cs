using System.Text;

using NodeAgent.Rendering;
using NodeAgent.Sources;

namespace NodeAgent.Planning;

/// <summary>What --diff shows for a changed file: a unified diff in which every secret, old or new, is masked, and
/// nothing else is (<see cref="SecretScrubber.ScrubExactly"/>).</summary>
public static class ApplyDiff
{
    public static string Render(Plan plan, FileChange file)
    {
        if (file.DiffWithheld is { } withheld)
        {
            return $"--- {file.Path}: not diffed ({withheld})\n";
        }

        var oldText = file.OldContent is null ? string.Empty : Encoding.UTF8.GetString(file.OldContent);
        var newText = Encoding.UTF8.GetString(file.Desired.Content);
        var passThrough = plan.Set.PassThroughEnvironment.Select(v => v.Value).ToList();
        Func<string, string> scrub = file.Desired.Kind is TargetKind.DotEnv or TargetKind.DockerEnv
            ? text => SecretScrubber.ScrubEnvFile(text, plan.Secrets, passThrough)
            : text => SecretScrubber.ScrubExactly(text, plan.Secrets, passThrough);
        var newName = file.Action == FileAction.Remove ? "/dev/null" : file.Path;
        var diff = UnifiedDiff.Render(file.OldContent is null ? "/dev/null" : file.Path, newName, scrub(oldText), scrub(newText));
        return diff.Length > 0 ? diff : $"--- {file.Path}: {string.Join("; ", file.Reasons)} (content unchanged)\n";
    }

    public static string RenderAll(Plan plan) => string.Concat(plan.Changes.Select(f => Render(plan, f)));
}
