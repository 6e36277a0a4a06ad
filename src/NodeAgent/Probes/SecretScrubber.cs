using NodeAgent.Sources;

namespace NodeAgent.Probes;

/// <summary>
/// Replaces known secret values in free text with their mask. Server messages and exception texts are not ours:
/// this is the last line that keeps a credential that slipped into one of them out of a report.
/// </summary>
internal sealed class SecretScrubber(IEnumerable<Secret> secrets)
{
    private readonly Secret[] _secrets = secrets.Where(s => s.Length > 0).ToArray();

    public string Scrub(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret.Reveal(), secret.Masked, StringComparison.Ordinal);
        }

        return text;
    }

    public ProbeResult Scrub(ProbeResult result) =>
        result with { Detail = Scrub(result.Detail), Fix = result.Fix is null ? null : Scrub(result.Fix) };
}
