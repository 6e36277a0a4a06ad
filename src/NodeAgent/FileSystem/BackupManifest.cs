using System.Globalization;
using System.Text.Json;

namespace NodeAgent.FileSystem;

/// <summary>How one target looked before an apply: its backup file name, or that it did not exist.</summary>
public sealed record BackupEntry(string Path, bool Existed, string? BackupFile, PermissionBits Mode, uint Uid, uint Gid)
{
    /// <summary>Why an existing file has no backup (it was oversized and never read); null when it has one.</summary>
    public string? Omitted { get; init; }
}

/// <summary>
/// manifest.json in the backup directory: the state of every file of the set, as it was before the last apply
/// that changed any of them. Written last and atomically, so it only ever names backup files that are complete on disk.
/// </summary>
public sealed record BackupManifest(DateTimeOffset WrittenUtc, IReadOnlyList<BackupEntry> Files)
{
    public const string FileName = "manifest.json";

    public static BackupManifest Parse(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        var written = DateTimeOffset.Parse(root.GetProperty("writtenUtc").GetString()!, CultureInfo.InvariantCulture);
        var files = new List<BackupEntry>();
        foreach (var file in root.GetProperty("files").EnumerateArray())
        {
            var path = file.GetProperty("path").GetString()!;
            files.Add(file.GetProperty("existed").GetBoolean()
                ? new BackupEntry(path, true, file.GetProperty("backup").GetString(),
                    PermissionBits.Parse(file.GetProperty("mode").GetString()!),
                    file.GetProperty("uid").GetUInt32(), file.GetProperty("gid").GetUInt32())
                : new BackupEntry(path, false, null, default, 0, 0));
        }

        return new BackupManifest(written, files);
    }

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("format", 1);
            json.WriteString("writtenUtc", WrittenUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("meaning", "each file as it was before the apply that wrote this manifest; restore content with the mode and owner given, and remove files that did not exist");
            json.WriteStartArray("files");
            foreach (var entry in Files)
            {
                json.WriteStartObject();
                json.WriteString("path", entry.Path);
                json.WriteBoolean("existed", entry.Existed);
                if (entry.Existed)
                {
                    json.WriteString("backup", entry.BackupFile);
                    if (entry.Omitted is { } omitted)
                    {
                        json.WriteString("omitted", omitted);
                    }

                    json.WriteString("mode", entry.Mode.ToString());
                    json.WriteNumber("uid", entry.Uid);
                    json.WriteNumber("gid", entry.Gid);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
