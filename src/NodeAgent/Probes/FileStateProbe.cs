using NodeAgent.Planning;

namespace NodeAgent.Probes;

/// <summary>
/// Each target exists, is a regular file, has its mode and owner, and holds what apply would render now.
/// Judged from the plan (the same comparison apply makes), so verify and apply can never disagree about drift.
/// Details name what differs, never the content.
/// </summary>
public static class FileStateProbe
{
    public const string Kind = "file";

    public static IReadOnlyList<ProbeResult> Results(Plan plan)
    {
        var results = new List<ProbeResult>();
        foreach (var unsafeTarget in plan.UnsafeTargets)
        {
            results.Add(new ProbeResult(Kind, unsafeTarget.Path, ProbeStatus.Failed, $"{unsafeTarget.Why}", unsafeTarget.Fix, TimeSpan.Zero));
        }

        foreach (var file in plan.Files)
        {
            var mode = file.Desired.Mode.ToString();
            results.Add(file.Action switch
            {
                FileAction.Unchanged when file.Desired.Absent => new ProbeResult(Kind, file.Path, ProbeStatus.Ok,
                    "absent, as it must be with the instance profile", null, TimeSpan.Zero),
                FileAction.Unchanged => new ProbeResult(Kind, file.Path, ProbeStatus.Ok,
                    $"{mode} {file.OwnerDescription}, content current", null, TimeSpan.Zero),
                FileAction.Remove => new ProbeResult(Kind, file.Path, ProbeStatus.Failed,
                    "present, but this host uses the instance profile: the keys in it win over the role in every SDK",
                    "run: nodeagent apply (it removes the file)", TimeSpan.Zero),
                FileAction.Create => new ProbeResult(Kind, file.Path, ProbeStatus.Failed,
                    "missing", "run: nodeagent apply", TimeSpan.Zero),
                _ => new ProbeResult(Kind, file.Path, ProbeStatus.Failed,
                    Drift(file), "run: nodeagent apply (it rewrites the file from the sources)", TimeSpan.Zero),
            });
        }

        return results;
    }

    private static string Drift(FileChange file) =>
        string.Join("; ", file.Reasons.Select(r => r == "content changed" ? "content differs from the sources (drift)" : r));
}
