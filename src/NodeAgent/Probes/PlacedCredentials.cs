using NodeAgent.FileSystem;
using NodeAgent.Sources;

namespace NodeAgent.Probes;

/// <summary>
/// The credentials the containers actually use: read back from the placed ~/.aws/credentials (never through a
/// symlink), not from the sources and not from the agent's own environment. A wrong file on disk is exactly what
/// verify must catch.
/// </summary>
public static class PlacedCredentials
{
    /// <summary>The problem of a credentials file that is not there.</summary>
    public const string Missing = "missing";

    public static Result Read(SecureFileSystem fileSystem, string path, string profile)
    {
        ExistingFile? file;
        try
        {
            file = fileSystem.Inspect(path);
        }
        catch (UnsafePathException e)
        {
            // The problem may be a directory on the way (a writable ~/.aws): name it, not the file.
            return new Result(null, path, e.Path == path ? e.Why : $"{e.Path}: {e.Why}");
        }

        if (file is null)
        {
            return new Result(null, path, Missing);
        }

        var ini = SharedCredentialsIni.Parse(path, file.Content);
        var section = ini.FindProfile(profile);
        var id = section?.Find("aws_access_key_id")?.Value;
        var secret = section?.Find("aws_secret_access_key")?.Value;
        if (!ini.IsValid || id is null || secret is null)
        {
            return new Result(null, path, $"no complete [{profile}] profile (aws_access_key_id and aws_secret_access_key)");
        }

        var token = section!.Find("aws_session_token")?.Value;
        return new Result(new AwsCredentials(Secret.AccessKeyId(id), Secret.Of(secret), token is null ? null : Secret.Of(token)), path, null);
    }

    public sealed record Result(AwsCredentials? Credentials, string Path, string? Problem);
}
