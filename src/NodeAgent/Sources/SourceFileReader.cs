using NodeAgent.Configuration;

namespace NodeAgent.Sources;

/// <summary>
/// Reads the three source files from one directory. An absent file is simply absent (any subset may be
/// deployed); one that is there but too large or unreadable is an error, collected rather than thrown.
/// </summary>
public static class SourceFileReader
{
    /// <summary>Credential sources are a few hundred bytes; anything this large is the wrong file.</summary>
    public const int MaximumBytes = 1024 * 1024;

    public static SourceDocuments Read(string directory, SourcesOptions options)
    {
        var errors = new List<SourceError>();
        return new SourceDocuments(
            ReadOne(Path.Combine(directory, options.CredentialsFile), errors),
            ReadOne(Path.Combine(directory, options.ConfigFile), errors),
            ReadOne(Path.Combine(directory, options.EnvFile), errors),
            errors,
            directory);
    }

    private static SourceDocument? ReadOne(string path, List<SourceError> errors)
    {
        if (Directory.Exists(path))
        {
            errors.Add(new SourceError(path, null,
                "is a directory, not a file",
                "replace it with the file from the deployment bundle, or remove it if the other sources hold everything"));
            return null;
        }

        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            // Read at most one byte past the limit: the length reported up front can lie (a FIFO, a growing file).
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
            var buffer = new byte[MaximumBytes + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            if (total > MaximumBytes)
            {
                var size = stream.CanSeek ? $"{stream.Length} bytes" : "more than 1 MiB";
                errors.Add(new SourceError(path, null,
                    $"the file is {size}; a credential source is at most 1 MiB",
                    "this is not a credential source file: copy the right one from the deployment bundle"));
                return null;
            }

            return new SourceDocument(path, buffer[..total]);
        }
        catch (UnauthorizedAccessException)
        {
            errors.Add(new SourceError(path, null,
                "the file cannot be read: permission denied",
                "run nodeagent as root, or make the file readable by the user running it (chmod 600 and chown to that user)"));
        }
        catch (IOException e)
        {
            errors.Add(new SourceError(path, null,
                $"the file cannot be read: {e.Message}",
                "check the disk and the file, then copy it again from the deployment bundle"));
        }

        return null;
    }
}
