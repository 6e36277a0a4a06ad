using NodeAgent.Configuration;
using NodeAgent.Failures;
using NodeAgent.FileSystem;
using NodeAgent.Rendering;
using NodeAgent.Sources;

namespace NodeAgent.Planning;

/// <summary>Rendered targets + what is on disk now → a plan. Reads targets (never through a symlink), writes nothing.</summary>
public sealed class Planner(PathMap paths, SecureFileSystem fileSystem, OwnershipResolver owners)
{
    public Plan Plan(CredentialSet set, IReadOnlyList<RenderedFile> rendered)
    {
        var errors = new List<SourceError>();
        var unsafePaths = new List<UnsafePathException>();
        var refused = new Dictionary<string, List<UnsafePathException>>(StringComparer.Ordinal);
        var notes = new List<string>();
        var changes = new List<FileChange>();
        foreach (var file in rendered)
        {
            var owner = owners.Resolve(file.Owner, file.ConfigKey, errors);
            if (owner.Note is { } note && !notes.Contains(note))
            {
                notes.Add(note);
            }

            var path = paths.Map(file.HostPath);
            ExistingFile? existing;
            try
            {
                existing = fileSystem.Inspect(path, owner.Owner, file.PrivateParent);
            }
            catch (UnsafePathException e)
            {
                // One unsafe directory (/opt/sensor 0777) stands in the way of every target below it: name it once.
                if (!unsafePaths.Any(known => known.Path == e.Path && known.Why == e.Why))
                {
                    unsafePaths.Add(e);
                }

                var domain = FailureDomains.For(file);
                if (!refused.TryGetValue(domain, out var problems))
                {
                    refused[domain] = problems = [];
                }

                if (!problems.Any(known => known.Path == e.Path && known.Why == e.Why))
                {
                    problems.Add(e);
                }

                continue;
            }

            changes.Add(Compare(file, path, existing, owner) with { Domain = FailureDomains.For(file) });
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        return new Plan(set, changes, notes)
        {
            UnsafeTargets = unsafePaths,
            RefusedDomains = refused.Select(d => new RefusedDomain(d.Key, d.Value)).ToList(),
        };
    }

    private static FileChange Compare(RenderedFile file, string path, ExistingFile? existing, OwnershipResolver.Resolution owner)
    {
        if (file.Absent)
        {
            return existing is null
                ? new FileChange(file, path, FileAction.Unchanged, ["absent, as it must be with the instance profile"], owner.Owner, owner.Description, null)
                : new FileChange(file, path, FileAction.Remove,
                    ["left by a static deployment: its keys would win over the instance profile in every SDK"], owner.Owner, owner.Description,
                    existing.OversizedBytes is null && existing.LinkCount <= 1 ? existing.Content : null)
                {
                    DiffWithheld = existing.OversizedBytes is { } bytes ? $"oversized: {TargetSize.Describe(bytes)}"
                        : existing.LinkCount > 1 ? $"hard link: {existing.LinkCount} links, its content may belong to another file" : null,
                };
        }

        if (existing is null)
        {
            return new FileChange(file, path, FileAction.Create, ["new file"], owner.Owner, owner.Description, null);
        }

        var desired = new DesiredFile(path, file.Content, file.Mode, owner.Owner, file.PrivateParent);

        var reasons = new List<string>();
        string? withheld = null;
        if (existing.OversizedBytes is { } size)
        {
            withheld = $"oversized: {TargetSize.Describe(size)}";
            reasons.Add(withheld);
        }
        else if (!existing.Content.AsSpan().SequenceEqual(file.Content))
        {
            reasons.Add("content changed");
        }

        if (existing.LinkCount > 1)
        {
            // A hard link shares its inode with another name (a user's own file linked in): the rename gives the
            // target its own file, and the shared content is not ours to print.
            reasons.Add($"hard link ({existing.LinkCount} links): replaced by a file of its own");
            withheld ??= $"hard link: {existing.LinkCount} links, its content may belong to another file";
        }

        if (existing.Mode != file.Mode)
        {
            reasons.Add($"mode {existing.Mode} → {file.Mode}");
        }

        if (owner.Owner is { } want && (existing.Uid != want.Uid || existing.Gid != want.Gid))
        {
            reasons.Add($"owner {existing.Uid}:{existing.Gid} → {owner.Description} ({want.Uid}:{want.Gid})");
        }

        reasons.AddRange(PrivateDirectory.Drift(desired, existing));

        // The writer's own rule decides; the reasons above only explain it.
        var action = FileSetTransaction.IsAlreadyInPlace(desired, existing) ? FileAction.Unchanged : FileAction.Update;
        return new FileChange(file, path, action, reasons, owner.Owner, owner.Description, withheld is null ? existing.Content : null)
        {
            DiffWithheld = withheld,
        };
    }
}

/// <summary>One or more targets are symlinks, not regular files, or below an unsafe directory: nothing is written through them.</summary>
public sealed class UnsafeTargetsException(IReadOnlyList<UnsafePathException> unsafePaths)
    : AgentException(string.Join(Environment.NewLine, unsafePaths.Select(p => p.Message)))
{
    public IReadOnlyList<UnsafePathException> UnsafePaths { get; } = unsafePaths;

    public override int ExitCode => Cli.ExitCodes.WriteFailed;

    public override string Phase => "write";

    // One symlinked ~/.aws or /opt/sensor stands in the way of several targets: each is named once.
    public override IReadOnlyList<AgentProblem> Problems =>
        UnsafePaths.SelectMany(p => p.Problems).Distinct().ToList();

    public override string? Closing(bool writes) => "nodeagent: refusing to write through unsafe paths; nothing was written.";
}
