namespace NodeAgent.Sources;

/// <summary>The raw bytes of one source file. <see cref="Path"/> is what error messages name.</summary>
public sealed record SourceDocument(string Path, byte[] Bytes);

/// <summary>
/// What <see cref="SourceFileReader"/> found: each of the three sources (null when the file is absent) and
/// the problems met while reading them. <see cref="Directory"/> is where the files were looked for, named by
/// errors about something no file provides.
/// </summary>
public sealed record SourceDocuments(
    SourceDocument? Credentials,
    SourceDocument? Config,
    SourceDocument? Env,
    IReadOnlyList<SourceError> Errors,
    string? Directory = null);
