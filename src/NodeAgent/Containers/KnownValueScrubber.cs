using Secret = NodeAgent.Sources.Secret;

namespace NodeAgent.Containers;

/// <summary>
/// Last line of defence: reasons are built from names only, but a Docker error message could echo a value
/// (e.g. a create refused for an env entry). Any known value is replaced by its mask.
/// </summary>
internal sealed class KnownValueScrubber
{
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);

    public KnownValueScrubber(IEnumerable<string> values)
    {
        foreach (var v in values)
        {
            AddValue(v);
        }
    }

    public void Add(IEnumerable<string>? environment)
    {
        foreach (var entry in environment ?? [])
        {
            var (name, value) = EnvironmentEntry.Parse(entry);
            if (name.StartsWith("AWS_", StringComparison.Ordinal) && !NamesALocation(name))
            {
                AddValue(value);
            }
        }
    }

    public ContainerOutcome Scrub(ContainerOutcome o) => o with { Reason = Scrub(o.Reason)!, Fix = Scrub(o.Fix) };

    // AWS_SHARED_CREDENTIALS_FILE=/root/.aws/credentials and the like hold where a secret is, never one; masking
    // them hid the very path an operator needs to read in a container's outcome.
    private static bool NamesALocation(string name) =>
        name.EndsWith("_FILE", StringComparison.Ordinal) || name.EndsWith("_PATH", StringComparison.Ordinal)
        || name.EndsWith("_DIR", StringComparison.Ordinal) || name.Contains("ENDPOINT", StringComparison.Ordinal)
        || name.EndsWith("_PROFILE", StringComparison.Ordinal) || name.EndsWith("_REGION", StringComparison.Ordinal);

    private string? Scrub(string? text) =>
        text is null ? null : Sources.SecretScrubber.Scrub(text, _values.Select(Secret.Of));

    // Short values (regions, "true") would mangle ordinary words and are no secrets.
    private void AddValue(string v)
    {
        if (v.Length >= 8)
        {
            _values.Add(v);
        }
    }
}
