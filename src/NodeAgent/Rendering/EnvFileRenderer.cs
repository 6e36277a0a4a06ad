using System.Text;

using NodeAgent.Sources;

namespace NodeAgent.Rendering;

/// <summary>
/// /opt/sensor/.env (read by compose and shells: values quoted when needed) and /opt/sensor/docker.env (Docker's
/// env-file syntax: everything after '=' is the value, literally; quotes would become part of it).
/// </summary>
public static class EnvFileRenderer
{
    /// <summary>The key variables, which an instance-profile host must not have: a stale key in the environment wins over the role in every SDK.</summary>
    /// <remarks>AWS_PROFILE too: it names a profile of a credentials file that no longer exists, which botocore refuses.</remarks>
    public static readonly IReadOnlyList<string> KeyVariables = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"];

    /// <param name="profile">The profile written into ~/.aws: any other than default is named by AWS_PROFILE, so a
    /// consumer reading the mounted files picks it instead of [default]. Not with the instance profile: there is no
    /// credentials file, and a profile name a container cannot find is an error in botocore.</param>
    public static IReadOnlyList<KeyValuePair<string, string>> Variables(CredentialSet set, string profile = "default")
    {
        var vars = new List<KeyValuePair<string, string>>();
        if (set.Credentials is { } keys)
        {
            vars.Add(new("AWS_ACCESS_KEY_ID", keys.AccessKeyId.Reveal()));
            vars.Add(new("AWS_SECRET_ACCESS_KEY", keys.SecretAccessKey.Reveal()));
            if (keys.SessionToken is { } token)
            {
                vars.Add(new("AWS_SESSION_TOKEN", token.Reveal()));
            }

            // A source's own AWS_PROFILE passes through (the sources are checked to name this same profile): a
            // second line would be a duplicate key, which docker.env's lookup cannot hold.
            if (profile != "default" && !set.PassThroughEnvironment.Any(v => v.Key == "AWS_PROFILE"))
            {
                vars.Add(new("AWS_PROFILE", profile));
            }
        }

        // Both names: older SDKs read AWS_DEFAULT_REGION, newer ones and the CLI v2 prefer AWS_REGION.
        vars.Add(new("AWS_DEFAULT_REGION", set.Region));
        vars.Add(new("AWS_REGION", set.Region));
        vars.AddRange(set.Buckets.Select(b => new KeyValuePair<string, string>(b.EnvironmentVariable, b.Name)));
        vars.AddRange(set.PassThroughEnvironment);
        return vars;
    }

    /// <summary>docker.env as a lookup: what a container's environment must hold to be current.</summary>
    public static IReadOnlyDictionary<string, string> DockerEnvironment(CredentialSet set, string profile = "default") =>
        Variables(set, profile).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    public static string DotEnv(CredentialSet set, string profile = "default")
    {
        var b = new StringBuilder(AwsProfileRenderer.Header);
        foreach (var (name, value) in Variables(set, profile))
        {
            b.Append(name).Append('=').Append(QuoteForDotEnv(value)).Append('\n');
        }

        return b.ToString();
    }

    public static string DockerEnv(CredentialSet set, string profile = "default")
    {
        var b = new StringBuilder(AwsProfileRenderer.Header);
        foreach (var (name, value) in Variables(set, profile))
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
