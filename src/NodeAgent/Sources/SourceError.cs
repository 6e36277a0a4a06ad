using NodeAgent.Failures;

namespace NodeAgent.Sources;

/// <summary>
/// One problem in an input file: where (file and line, or field), what is wrong, and how to fix it.
/// Messages never carry a secret value; use <see cref="Secret.Mask"/> when a value must be named.
/// </summary>
public sealed record SourceError(string File, int? Line, string What, string Fix)
{
    public override string ToString() =>
        Line is { } line ? $"{File}:{line}: {What} — {Fix}" : $"{File}: {What} — {Fix}";
}

/// <summary>Thrown when sources or configuration are invalid; carries every problem found, not just the first.</summary>
public sealed class InvalidInputException(IReadOnlyList<SourceError> errors)
    : AgentException(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<SourceError> Errors { get; } = errors;

    public override int ExitCode => Cli.ExitCodes.InvalidInput;

    public override string Phase => "sources";

    // Source values can be echoed in a validation message (a swapped key, say): scrubbed like everything shown.
    public override IReadOnlyList<AgentProblem> Problems => Errors
        .Select(e => new AgentProblem(e.Line is { } line ? $"{e.File}:{line}" : e.File, SecretScrubber.Scrub(e.What), SecretScrubber.Scrub(e.Fix)))
        .ToList();

    public override string? Closing(bool writes) =>
        $"nodeagent: {Errors.Count} problem(s) in the input; nothing was written.";
}
