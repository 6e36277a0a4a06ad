using NodeAgent.Sources;

namespace NodeAgent.Logging;

/// <summary>
/// Every secret value the agent has loaded (keys, secrets, tokens, pass-through values it cannot judge), so the last
/// line of defence in the logger can mask any that slipped into an event. Values shorter than
/// <see cref="MinimumLength"/> are not kept: masking "1" or "us" everywhere would garble every line.
/// </summary>
public sealed class SecretRegistry
{
    public const int MinimumLength = 8;

    private readonly Lock _gate = new();
    private Secret[] _secrets = [];

    public void Remember(IEnumerable<Secret> secrets)
    {
        lock (_gate)
        {
            _secrets = _secrets.Concat(secrets.Where(s => s.Length >= MinimumLength)).Distinct()
                // Longest first, so a token is masked whole before a secret inside it could be.
                .OrderByDescending(s => s.Length).ToArray();
        }
    }

    public string Mask(string text)
    {
        foreach (var secret in Volatile.Read(ref _secrets))
        {
            if (text.Contains(secret.Reveal(), StringComparison.Ordinal))
            {
                text = text.Replace(secret.Reveal(), secret.Masked, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
