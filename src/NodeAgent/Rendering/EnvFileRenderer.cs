using System.Text;

using NodeAgent.Sources;

namespace NodeAgent.Rendering;

/// <summary>
/// /opt/sensor/.env (read by compose and shells: values quoted when needed) and /opt/sensor/docker.env (Docker's
/// env-file syntax: everything after '=' is the value, literally; quotes would become part of it).
/// </summary>
public static class EnvFileRenderer
{
    public static IReadOnlyList<KeyValuePair<string, string>> Variables(CredentialSet set)
    {
        var vars = new List<KeyValuePair<string, string>>
        {
            new("AWS_ACCESS_KEY_ID", set.Credentials.AccessKeyId.Reveal()),
            new("AWS_SECRET_ACCESS_KEY", set.Credentials.SecretAccessKey.Reveal()),
        };
        if (set.Credentials.SessionToken is { } token)
        {
            vars.Add(new("AWS_SESSION_TOKEN", token.Reveal()));
        }

        // Both names: older SDKs read AWS_DEFAULT_REGION, newer ones and the CLI v2 prefer AWS_REGION.
        vars.Add(new("AWS_DEFAULT_REGION", set.Region));
        vars.Add(new("AWS_REGION", set.Region));
        vars.AddRange(set.Buckets.Select(b => new KeyValuePair<string, string>(b.EnvironmentVariable, b.Name)));
        vars.AddRange(set.PassThroughEnvironment);
        return vars;
    }

    /// <summary>docker.env as a lookup: what a container's environment must hold to be current.</summary>
    public static IReadOnlyDictionary<string, string> DockerEnvironment(CredentialSet set) =>
        Variables(set).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    public static string DotEnv(CredentialSet set)
    {
        var b = new StringBuilder(AwsProfileRenderer.Header);
        foreach (var (name, value) in Variables(set))
        {
            b.Append(name).Append('=').Append(QuoteForDotEnv(value)).Append('\n');
        }

        return b.ToString();
    }

    public static string DockerEnv(CredentialSet set)
    {
        var b = new StringBuilder(AwsProfileRenderer.Header);
        foreach (var (name, value) in Variables(set))
        {
            b.Append(name).Append('=').Append(value).Append('\n');
        }

        return b.ToString();
    }

    private static string QuoteForDotEnv(string value)
    {
        if (value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "-_./+=:@,%".Contains(c)))
        {
            return value;
        }

        // Single quotes are literal for compose and for sh; a value that itself holds one needs double quotes.
        if (!value.Contains('\''))
        {
            return $"'{value}'";
        }

        return "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("$", "\\$").Replace("`", "\\`") + "\"";
    }
}
