using System.Text;

using NodeAgent.Configuration;
using NodeAgent.Sources;

namespace NodeAgent.Rendering;

/// <summary>
/// databricks-storage-config.yaml: where the data goes and which credentials file to use. It references the
/// credentials, never contains them, so it can stay 644 for the Databricks tooling that reads it.
/// </summary>
public static class StorageConfigYamlRenderer
{
    public static string Render(CredentialSet set, AgentOptions options)
    {
        var b = new StringBuilder(AwsProfileRenderer.Header);
        if (set.IsInstanceProfile)
        {
            b.Append("# Holds no secret: credentials come from the EC2 instance profile (IMDSv2); no key is on this host.\n");
        }
        else
        {
            b.Append("# Holds no secret: credentials are read from the shared credentials file named below.\n");
        }

        b.Append("s3_configuration:\n");
        b.Append("  region: ").Append(Quote(set.Region)).Append('\n');
        b.Append("  credentials:\n");
        if (set.IsInstanceProfile)
        {
            b.Append("    source: \"instance_profile\"\n");
        }
        else
        {
            b.Append("    profile: ").Append(Quote(options.Profile)).Append('\n');
            b.Append("    shared_credentials_file: ").Append(Quote(options.Targets.StorageConfig.SharedCredentialsFile)).Append('\n');
            b.Append("    config_file: ").Append(Quote(options.Targets.StorageConfig.ConfigFile)).Append('\n');
        }

        b.Append("  buckets:\n");
        foreach (var bucket in set.Buckets)
        {
            b.Append("    ").Append(bucket.Role).Append(":\n");
            b.Append("      name: ").Append(Quote(bucket.Name)).Append('\n');
            b.Append("      uri: ").Append(Quote($"s3://{bucket.Name}/")).Append('\n');
        }

        return b.ToString();
    }

    /// <summary>Double-quoted YAML scalars never change type (a region like "no" or a path with ': ' stays text).</summary>
    private static string Quote(string value)
    {
        var b = new StringBuilder("\"");
        foreach (var c in value)
        {
            b.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ => c.ToString(),
            });
        }

        return b.Append('"').ToString();
    }
}
