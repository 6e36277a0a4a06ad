namespace NodeAgent.Containers;

/// <summary>
/// One entry of a container's <c>Config.Env</c>, as Docker stores it: <c>NAME=value</c>, split at the first '='
/// (the value may hold more of them, e.g. base64 padding); an entry without '=' is a name with an empty value.
/// </summary>
internal readonly record struct EnvironmentEntry(string Name, string Value)
{
    public static EnvironmentEntry Parse(string entry)
    {
        var equals = entry.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? new(entry, "") : new(entry[..equals], entry[(equals + 1)..]);
    }
}
