using System.Text;

using NodeAgent.Sources;

namespace NodeAgent.Rendering;

/// <summary>~/.aws/credentials and ~/.aws/config in the shape the AWS CLI itself writes.</summary>
public static class AwsProfileRenderer
{
    public const string Header = "# Managed by nodeagent: local edits are replaced on the next apply.\n";

    /// <summary>Keys and token only: region belongs in the config file, where every SDK looks for it.</summary>
    public static string Credentials(AwsCredentials keys, string profile)
    {
        var b = new StringBuilder(Header);
        b.Append('[').Append(profile).Append("]\n");
        b.Append("aws_access_key_id = ").Append(keys.AccessKeyId.Reveal()).Append('\n');
        b.Append("aws_secret_access_key = ").Append(keys.SecretAccessKey.Reveal()).Append('\n');
        if (keys.SessionToken is { } token)
        {
            b.Append("aws_session_token = ").Append(token.Reveal()).Append('\n');
        }

        return b.ToString();
    }

    /// <summary>The config file names non-default profiles "profile NAME", unlike the credentials file.</summary>
    public static string Config(CredentialSet set, string profile)
    {
        // On the instance profile nothing names a profile (no AWS_PROFILE is written): the region must be [default]'s.
        var section = profile == "default" || set.IsInstanceProfile ? "default" : $"profile {profile}";
        return $"{Header}[{section}]\nregion = {set.Region}\noutput = json\n";
    }
}
