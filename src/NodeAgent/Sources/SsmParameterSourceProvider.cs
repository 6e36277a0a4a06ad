using System.Security.Cryptography;
using System.Text;

using NodeAgent.Aws;

namespace NodeAgent.Sources;

/// <summary>What a cheap look at the parameter found: its revision, or the problem that kept it from us.</summary>
public sealed record SourceRevision(string? Revision, SourceError? Problem);

/// <summary>
/// sources.provider: ssm. One SecureString parameter (or a Secrets Manager secret through
/// /aws/reference/secretsmanager/ID) whose value is the expanso-s3-config.json document. It is handed to
/// <see cref="CredentialSetBuilder"/> as that document, so validation, masking and every message are the directory
/// source's, with "ssm:NAME (version N)" standing where the file name would. A failed read is a source error in the
/// snapshot, never an exception: the reconcile reports it, the daemon retries.
/// </summary>
public sealed class SsmParameterSourceProvider(SsmParameterReader reader) : ISourceProvider
{
    /// <summary>Strict: a lone surrogate in the value is refused like invalid UTF-8 in a file, never replaced by U+FFFD.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public string Origin => $"ssm:{reader.Name}";

    public async Task<SourceSnapshot> ReadAsync(CancellationToken ct)
    {
        var read = await reader.GetAsync(withDecryption: true, ct).ConfigureAwait(false);
        if (read.Problem is { } problem)
        {
            return SourceSnapshot.Of(new SourceDocuments(null, null, null, [problem], Origin), Origin);
        }

        // Secrets Manager references always say version 0: naming it would only mislead.
        var origin = read.Version is > 0 and var version ? $"{Origin} (version {version})" : Origin;
        var value = read.Value ?? string.Empty;
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(value);
        }
        catch (EncoderFallbackException)
        {
            return Refused(read, new SourceError(origin, null, "the parameter's value is not valid UTF-8 text",
                "put the expanso-s3-config.json document into the parameter as plain UTF-8 text"));
        }

        if (bytes.Length > SourceFileReader.MaximumBytes)
        {
            return Refused(read, new SourceError(origin, null, $"the value is {bytes.Length} bytes; a credential source is at most 1 MiB",
                "this is not a credential source: put the expanso-s3-config.json document into the parameter"));
        }

        return SourceSnapshot.Of(new SourceDocuments(null, new SourceDocument(origin, bytes), null, [], origin), origin) with { Revision = RevisionOf(read) };
    }

    /// <summary>
    /// The parameter's version without decrypting it (no KMS call): what the daemon polls. A Secrets Manager reference
    /// has no version that moves and cannot be read undecrypted, so for it the value's digest is the revision.
    /// </summary>
    public async Task<SourceRevision> ReadRevisionAsync(CancellationToken ct)
    {
        var read = await reader.GetAsync(withDecryption: reader.IsSecretsManagerReference, ct).ConfigureAwait(false);
        return new SourceRevision(read.Problem is null ? RevisionOf(read) : null, read.Problem);
    }

    /// <summary>A value that was read but cannot be a source: its revision is known, so the poller does not ask again until it changes.</summary>
    private SourceSnapshot Refused(SsmParameterRead read, SourceError problem) =>
        SourceSnapshot.Of(new SourceDocuments(null, null, null, [problem], problem.File), problem.File) with { Revision = RevisionOf(read) };

    private string RevisionOf(SsmParameterRead read) => reader.IsSecretsManagerReference
        ? "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(read.Value ?? string.Empty)))[..16]
        : $"version {read.Version}";
}
