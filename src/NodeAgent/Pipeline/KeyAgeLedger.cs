using System.Text.Json;
using System.Text.Json.Serialization;

using NodeAgent.Failures;
using NodeAgent.FileSystem;
using NodeAgent.Sources;

namespace NodeAgent.Pipeline;

/// <summary>
/// When this host first placed an access key id, and when it last had it in place. <paramref name="Key"/> is the
/// masked id (AKIA…WXYZ) and <paramref name="Fingerprint"/> its <see cref="Secret.Fingerprint"/>: the ledger tells keys
/// apart without holding one.
/// </summary>
public sealed record KeyAgeEntry(string Key, string Fingerprint, DateTimeOffset FirstPlaced, DateTimeOffset LastPlaced);

/// <summary>
/// STATE/key-ages.json: the first placement of every access key id on this host, so reports can say how old the key in
/// use is (AWS Security Hub IAM.3: rotate within 90 days). AWS knows a key's creation date too, but asking needs
/// iam:ListAccessKeys, which the distributed keys should not have; the first placement here is a lower bound that
/// needs no permission. Written through the no-follow writer at 0600 (it names keys, if only masked) and only when
/// something changed, so the daemon's minute-by-minute cycles do not rewrite it.
/// </summary>
public sealed class KeyAgeLedger(SecureFileSystem fileSystem, string path, TimeProvider clock)
{
    public const string DefaultFileName = "key-ages.json";

    /// <summary>The most entries kept (the most recently placed), whatever the dates say: the file stays bounded.</summary>
    public const int MaxEntries = 16;

    /// <summary>
    /// A key out of use this long is forgotten. Long enough that a rollback to an old key months later still shows its
    /// true age (and its warning), short enough that the file stays a few entries.
    /// </summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(400);

    /// <summary>A key in place has its <see cref="KeyAgeEntry.LastPlaced"/> refreshed at most this often.</summary>
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromDays(1);

    public string Path { get; } = path;

    /// <summary>What the ledger knows of <paramref name="accessKeyId"/>; null when this host never placed it (or the ledger is unreadable).</summary>
    public KeyAgeEntry? Find(Secret accessKeyId)
    {
        var fingerprint = accessKeyId.Fingerprint;
        return Read().FirstOrDefault(e => e.Fingerprint == fingerprint);
    }

    /// <summary>
    /// Notes that <paramref name="accessKeyId"/> is in place now: a new key gets its first placement, a known one keeps it
    /// (a later apply never makes a key younger). Returns the entry.
    /// </summary>
    /// <exception cref="AgentException">when the ledger cannot be written (unsafe path, read-only state directory).</exception>
    public KeyAgeEntry RecordPlaced(Secret accessKeyId)
    {
        var now = clock.GetUtcNow();
        var entries = Read();
        var fingerprint = accessKeyId.Fingerprint;
        var known = entries.FirstOrDefault(e => e.Fingerprint == fingerprint);
        var entry = known is null
            ? new KeyAgeEntry(accessKeyId.Masked, fingerprint, now, now)
            : known with { LastPlaced = now > known.LastPlaced ? now : known.LastPlaced };
        var kept = entries.Where(e => e.Fingerprint != fingerprint && now - e.LastPlaced < Retention)
            .Prepend(entry)
            .OrderByDescending(e => e.LastPlaced)
            .Take(MaxEntries)
            .ToList();
        var changed = known is null || now - known.LastPlaced >= RefreshEvery || kept.Count != entries.Count;
        if (changed)
        {
            Write(kept);
        }

        return changed ? entry : known!;
    }

    /// <summary>
    /// The entries on disk; none when the file is missing or not a ledger. Starting over is safe: the file holds no
    /// secret and only advises, and refusing to place keys over it would be worse than a key that looks young.
    /// </summary>
    private List<KeyAgeEntry> Read()
    {
        var existing = fileSystem.Inspect(Path);
        if (existing is null || existing.IsOversized)
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize(existing.Content, KeyAgeJsonContext.Default.KeyAgeFile)?.Keys?
                .Where(e => e is { Key: not null, Fingerprint: not null }).ToList() ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private void Write(List<KeyAgeEntry> entries)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new KeyAgeFile(entries), KeyAgeJsonContext.Default.KeyAgeFile);
        fileSystem.Write(new DesiredFile(System.IO.Path.GetFullPath(Path), [.. bytes, (byte)'\n'], PermissionBits.OwnerReadWrite, Owner: null, PrivateParent: false));
    }
}

/// <summary>The ledger file's shape: { "keys": [ { "key", "fingerprint", "firstPlaced", "lastPlaced" } ] }.</summary>
internal sealed record KeyAgeFile(IReadOnlyList<KeyAgeEntry>? Keys);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(KeyAgeFile))]
internal sealed partial class KeyAgeJsonContext : JsonSerializerContext
{
}
