using NodeAgent.Failures;

namespace NodeAgent.FileSystem;

/// <summary>
/// A path NodeAgent refuses to write through or read: a symbolic link below the trusted anchor, a target
/// that is not a regular file, or a path outside the anchor. Nothing was written through it.
/// </summary>
public sealed class UnsafePathException(string path, string why, string fix)
    : AgentException($"{path}: {why} — {fix}")
{
    public override int ExitCode => Cli.ExitCodes.WriteFailed;

    public override string Phase => "write";

    public override IReadOnlyList<AgentProblem> Problems => [new AgentProblem(Path, Why, Fix)];

    /// <summary>The offending path (the symlink itself, not the file the caller asked for, when they differ).</summary>
    public string Path { get; } = path;

    public string Why { get; } = why;

    public string Fix { get; } = fix;

    internal static UnsafePathException Symlink(string path) =>
        new(path, "is a symbolic link; NodeAgent never writes or reads through links",
            $"remove the symlink {path} and run apply again");
}
