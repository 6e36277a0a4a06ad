using System.Security.Cryptography;
using System.Text;

namespace NodeAgent.FileSystem;

/// <summary>
/// Writes a whole set of files so that either all changed files end up new or all keep their previous
/// content, mode and owner; or several such sets (<see cref="FileDomain"/>), each atomic on its own. Phases: inspect (skip files already as desired), stage (back up the previous
/// content, then write a synced temp file beside every target; any failure removes the temps and touches
/// no target), commit (rename each temp over its target; if one rename fails, the targets already renamed
/// are restored from the backups). Whenever anything changes, every target of the set that exists is backed up,
/// changed or not, and the backups stay in the backup directory afterwards (0600 files in a 0700 directory,
/// described by manifest.json): an operator always has the complete set as it was before the last changing apply.
/// </summary>
public sealed class FileSetTransaction
{
    private const string BackupSuffix = ".backup";

    private static readonly PermissionBits BackupFileMode = PermissionBits.OwnerReadWrite;

    private readonly SecureFileSystem _fs;
    private readonly SecureFileSystem _backupFs;
    private readonly string _backupDirectory;

    public FileSetTransaction(SecureFileSystem fs, string backupDirectory)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentException.ThrowIfNullOrEmpty(backupDirectory);
        _fs = fs;
        _backupDirectory = Path.GetFullPath(backupDirectory);

        // In a sandbox the backup directory may live outside --root; it is then walked from "/" with the
        // same no-follow rule.
        _backupFs = fs.Contains(_backupDirectory) ? fs : new SecureFileSystem("/");
    }

    public string BackupDirectory => _backupDirectory;

    /// <summary>
    /// Equal content and mode, the owner when one is asked for, and a private parent (~/.aws) already 0700 and
    /// the file's owner: nothing to write, mtime stays.
    /// Public so a planner can call a file "unchanged" by exactly the rule Apply uses.
    /// </summary>
    public static bool IsAlreadyInPlace(DesiredFile desired, ExistingFile? existing) => desired.Absent
        ? existing is null
        : existing is not null
        && !existing.IsOversized
        && existing.LinkCount <= 1
        && existing.Mode == desired.Mode
        && (desired.Owner is null || (existing.Uid == desired.Owner.Uid && existing.Gid == desired.Owner.Gid))
        && existing.Content.AsSpan().SequenceEqual(desired.Content)
        && PrivateDirectory.Drift(desired, existing).Count == 0;

    /// <summary>
    /// Applies the set as one domain; returns the paths actually written, in order (unchanged files are skipped).
    /// Throws what stopped it, as <see cref="ApplyDomains"/> reports it.
    /// </summary>
    public IReadOnlyList<string> Apply(IReadOnlyList<DesiredFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var result = ApplyDomains([new FileDomain("files", files)])[0];
        if (result.Failure is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return result.WrittenPaths;
    }

    /// <summary>
    /// Applies each domain atomically on its own, in order: a domain whose inspection, staging or rename fails is
    /// rolled back and reported, and the others still rotate. The backups (one manifest) cover every domain.
    /// A failure to write the backups stops everything before any target is touched, and is thrown.
    /// </summary>
    public IReadOnlyList<DomainResult> ApplyDomains(IReadOnlyList<FileDomain> domains)
    {
        ArgumentNullException.ThrowIfNull(domains);
        RefuseDuplicates(domains.SelectMany(d => d.Files).ToList());

        var results = new DomainResult?[domains.Count];
        var inspected = new List<Change>[domains.Count];
        for (var i = 0; i < domains.Count; i++)
        {
            try
            {
                inspected[i] = domains[i].Files.Select(file => new Change(file, _fs.Inspect(file.Path, file.Owner, file.PrivateParent))).ToList();
            }
            catch (Exception e) when (e is UnsafePathException or FileWriteException)
            {
                results[i] = new DomainResult(domains[i].Name, e is UnsafePathException ? DomainStatus.Refused : DomainStatus.Failed, [], e);
                inspected[i] = [];
            }
        }

        var changes = inspected.Select(set => set.FindAll(change => !IsAlreadyInPlace(change.Desired, change.Previous))).ToArray();
        if (changes.Any(c => c.Count > 0))
        {
            WriteBackups(inspected.SelectMany(set => set).ToList());
        }

        for (var i = 0; i < domains.Count; i++)
        {
            if (results[i] is not null)
            {
                continue;
            }

            if (changes[i].Count == 0)
            {
                results[i] = new DomainResult(domains[i].Name, DomainStatus.Unchanged, []);
                continue;
            }

            try
            {
                ApplyChanges(changes[i]);
                results[i] = new DomainResult(domains[i].Name, DomainStatus.Rotated, changes[i].ConvertAll(change => change.Desired.Path));
            }
            catch (Exception e) when (e is UnsafePathException or FileWriteException)
            {
                results[i] = new DomainResult(domains[i].Name, DomainStatus.Failed, [], e);
            }
        }

        return results.Select(r => r!).ToList();
    }

    private static void RefuseDuplicates(IReadOnlyList<DesiredFile> files)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (!seen.Add(Path.GetFullPath(file.Path)))
            {
                throw new ArgumentException($"{file.Path} appears twice in the file set; each target may be written once per apply", nameof(files));
            }
        }
    }

    private static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.TrimStart('.'))
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return builder.Length == 0 ? "file" : builder.ToString(0, Math.Min(builder.Length, 64));
    }

    private void ApplyChanges(List<Change> changes)
    {
        var staged = Stage(changes);
        try
        {
            Commit(changes, staged);
        }
        finally
        {
            foreach (var file in staged)
            {
                file?.Dispose();
            }
        }
    }

    /// <summary>A temp file beside every target that gets content; null for a target that is to be removed.</summary>
    private List<StagedFile?> Stage(List<Change> changes)
    {
        var staged = new List<StagedFile?>(changes.Count);
        try
        {
            foreach (var change in changes)
            {
                staged.Add(change.Desired.Absent ? null : _fs.Stage(change.Desired));
            }

            return staged;
        }
        catch
        {
            foreach (var file in staged)
            {
                file?.Dispose(); // removes the temp file; no target has been touched
            }

            throw;
        }
    }

    private void Commit(List<Change> changes, List<StagedFile?> staged)
    {
        for (var index = 0; index < staged.Count; index++)
        {
            try
            {
                if (staged[index] is { } file)
                {
                    file.Commit();
                }
                else
                {
                    _fs.Delete(changes[index].Desired.Path, changes[index].Desired.Owner);
                }
            }
            catch (FileWriteException failure)
            {
                var changedCount = staged[index]?.Renamed == true ? index + 1 : index;
                throw RollBack(changes, changedCount, failure);
            }
            catch (UnsafePathException unsafePath)
            {
                // Something was planted at a target to be removed since it was inspected: it is not removed, not followed.
                throw RollBack(changes, index, new FileWriteException(unsafePath.Path, $"not removed: {unsafePath.Why}", null,
                    "remove what was planted there, then run nodeagent apply again", rolledBack: false, unsafePath));
            }
        }
    }

    /// <summary>
    /// Restores the first <paramref name="changedCount"/> targets to their previous state, newest first, and says what
    /// is really on disk afterwards: which targets hold the new content and which the previous one. (A restore that
    /// failed too, e.g. on a file system remounted read-only mid-set, must not read as "nothing was changed".)
    /// </summary>
    private FileWriteException RollBack(List<Change> changes, int changedCount, FileWriteException failure)
    {
        var notRestored = new List<string>();
        var stillNew = new List<string>();
        for (var index = changedCount - 1; index >= 0; index--)
        {
            var (desired, previous) = changes[index];
            try
            {
                // The directories on the way may now belong to the new owner (a repaired ~/.aws): trust it too.
                if (previous is null)
                {
                    _fs.Delete(desired.Path, desired.Owner);
                }
                else if (previous.IsOversized)
                {
                    notRestored.Add($"{desired.Path} (its previous content was {previous.OversizedBytes} bytes, over the {SecureFileSystem.MaxTargetBytes}-byte limit, and was not kept)");
                    stillNew.Add(desired.Path);
                }
                else
                {
                    // Only root can give a file away; anyone else gets it back under their own id, as before.
                    var owner = ProcessIdentity.IsRoot ? previous.Owner : null;
                    _fs.Write(new DesiredFile(desired.Path, previous.Content, previous.Mode, owner, PrivateParent: false), desired.Owner);
                }
            }
            catch (Exception e) when (e is FileWriteException or UnsafePathException)
            {
                // The cause only: the inner failure's own "nothing was changed" is about that one write, not the set.
                notRestored.Add($"{desired.Path} ({(e is FileWriteException w ? w.What : ((UnsafePathException)e).Why)})");
                stillNew.Add(desired.Path);
            }
        }

        if (notRestored.Count == 0)
        {
            var note = changedCount == 0
                ? "no file of the set was replaced"
                : $"the {changedCount} file(s) already replaced were restored";
            return failure.WithRollback(rolledBack: true, note);
        }

        var previousContent = changes.Select(c => c.Desired.Path).Where(p => !stillNew.Contains(p)).ToList();
        return failure.WithRollback(rolledBack: false,
            $"restoring the previous files failed for: {string.Join("; ", notRestored)}; on disk now: {string.Join(", ", stillNew)} hold(s) the NEW content"
            + (previousContent.Count > 0 ? $", {string.Join(", ", previousContent)} the previous content" : string.Empty)
            + $"; the previous content, mode and owner of each are in {Path.Combine(_backupDirectory, BackupManifest.FileName)}");
    }

    /// <summary>
    /// Backs up every target of the set as it is now, changed or not, and names them all in the manifest. If that
    /// fails (a full disk), the files this run wrote are removed again: the previous manifest and its files stay, and
    /// repeated failing runs cannot pile up copies of secrets.
    /// </summary>
    private void WriteBackups(List<Change> set)
    {
        _backupFs.EnsurePrivateDirectory(_backupDirectory);
        var entries = new List<BackupEntry>(set.Count);
        var written = new List<string>();
        try
        {
            foreach (var (desired, previous) in set)
            {
                if (previous is null)
                {
                    entries.Add(new BackupEntry(desired.Path, false, null, default, 0, 0));
                    continue;
                }

                if (previous.IsOversized)
                {
                    // Never read, so never copied: a user-grown file must not fill the state directory with root's copy.
                    entries.Add(new BackupEntry(desired.Path, true, null, previous.Mode, previous.Uid, previous.Gid)
                    {
                        Omitted = $"oversized ({previous.OversizedBytes} bytes): not kept",
                    });
                    continue;
                }

                // A fresh name per apply: a backup the current manifest names is never overwritten, so a crash
                // mid-staging leaves the previous manifest and its files intact.
                var name = $"{Sanitize(Path.GetFileName(desired.Path))}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}{BackupSuffix}";
                var path = Path.Combine(_backupDirectory, name);
                _backupFs.Write(new DesiredFile(path, previous.Content, BackupFileMode, null, PrivateParent: true));
                written.Add(path);
                entries.Add(new BackupEntry(desired.Path, true, name, previous.Mode, previous.Uid, previous.Gid));
            }

            var manifest = new BackupManifest(DateTimeOffset.UtcNow, entries);
            _backupFs.Write(new DesiredFile(Path.Combine(_backupDirectory, BackupManifest.FileName), manifest.ToJson(), BackupFileMode, null, PrivateParent: true));
        }
        catch
        {
            foreach (var path in written)
            {
                try
                {
                    _ = _backupFs.DeleteIfRegularFile(path);
                }
                catch (Exception e) when (e is FileWriteException or UnsafePathException)
                {
                    // Best effort: the next successful run prunes what is not in its manifest.
                }
            }

            throw;
        }

        RemoveUnreferencedBackups(entries);
    }

    private void RemoveUnreferencedBackups(List<BackupEntry> entries)
    {
        var referenced = entries.Where(e => e.BackupFile is not null).Select(e => e.BackupFile!).ToHashSet(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(_backupDirectory, "*" + BackupSuffix))
        {
            // Only NodeAgent's own regular files are pruned; a link or other entry someone left here is not
            // followed, not removed, and does not stand in the way of an apply.
            if (!referenced.Contains(Path.GetFileName(path)))
            {
                _ = _backupFs.DeleteIfRegularFile(path);
            }
        }
    }

    private sealed record Change(DesiredFile Desired, ExistingFile? Previous);
}
