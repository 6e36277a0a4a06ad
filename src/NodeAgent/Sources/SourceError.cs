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
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<SourceError> Errors { get; } = errors;
}
