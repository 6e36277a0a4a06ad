using System.Security.Cryptography;
using System.Text;

using NodeAgent.Configuration;

namespace NodeAgent.Sources;

/// <summary>Where the sources come from: the directory the deployer uploads to, or one SSM parameter for the fleet.</summary>
public interface ISourceProvider
{
    /// <summary>What an operator is told to look at ("/opt/deployment/etc/aws/credentials").</summary>
    string Origin { get; }

    Task<SourceSnapshot> ReadAsync(CancellationToken ct);
}

/// <summary>
/// The documents one read of the sources returned, and a fingerprint of exactly those bytes (and of any problem met
/// reading them), so "did the sources change since the last cycle?" is one comparison and never a re-parse.
/// </summary>
public sealed record SourceSnapshot(SourceDocuments Documents, string Fingerprint, string Origin)
{
    /// <summary>
    /// What a cheap look at the source can compare against without reading it again (an SSM parameter's version);
    /// null when there is none, or when the read failed.
    /// </summary>
    public string? Revision { get; init; }

    public static SourceSnapshot Of(SourceDocuments documents, string origin)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var document in new[] { documents.Credentials, documents.Config, documents.Env })
        {
            // Length-prefixed, so two documents can never run together into the same bytes.
            var path = Encoding.UTF8.GetBytes(document?.Path ?? "-");
            hash.AppendData(BitConverter.GetBytes(path.Length));
            hash.AppendData(path);
            hash.AppendData(BitConverter.GetBytes(document?.Bytes.Length ?? -1));
            hash.AppendData(document?.Bytes ?? []);
        }

        foreach (var error in documents.Errors)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(error.ToString()));
        }

        return new SourceSnapshot(documents, "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset())[..16], origin);
    }
}

/// <summary>The three files in the sources directory, read with the bounds and refusals of <see cref="SourceFileReader"/>.</summary>
public sealed class DirectorySourceProvider(string directory, SourcesOptions options) : ISourceProvider
{
    public string Origin => directory;

    public Task<SourceSnapshot> ReadAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(SourceSnapshot.Of(SourceFileReader.Read(directory, options), directory));
    }
}
