namespace NodeAgent.Sources;

/// <summary>Takes the configured profile's keys out of the shared-credentials source (expanso-s3-credentials).</summary>
internal static class CredentialsFileFacts
{
    private static readonly string[] KnownKeys = ["aws_access_key_id", "aws_secret_access_key", "aws_session_token", "region"];

    public static SourceFacts Extract(SourceDocument document, string profile, List<SourceError> errors)
    {
        var facts = new SourceFacts(document.Path, SourceFieldNames.Ini);
        var ini = SharedCredentialsIni.Parse(document.Path, document.Bytes);
        errors.AddRange(ini.Errors);
        facts.Usable = ini.IsValid;
        if (ini.IsEmpty)
        {
            errors.Add(new SourceError(document.Path, null,
                "the file is empty (only blank lines or comments)",
                $"put [{profile}] with aws_access_key_id and aws_secret_access_key in it, or delete the file if the other sources hold the keys"));
            facts.Usable = false;
            return facts;
        }

        var section = ini.FindProfile(profile);
        if (section is null)
        {
            if (ini.Sections.Count > 0)
            {
                var found = string.Join(", ", ini.Sections.Select(s => $"[{s.Name}]"));
                errors.Add(new SourceError(document.Path, null,
                    $"profile [{profile}] is not in the file; it has {found}",
                    $"rename the section holding the keys to [{profile}], or set sources.profile in /etc/nodeagent/nodeagent.yaml to the profile to read"));
            }

            facts.Usable = false;
            return facts;
        }

        if (!section.Entries.Any(e => KnownKeys.Contains(e.Key)))
        {
            errors.Add(new SourceError(document.Path, section.Line,
                $"profile [{profile}] holds none of aws_access_key_id, aws_secret_access_key, aws_session_token, region",
                $"put aws_access_key_id = … and aws_secret_access_key = … under [{profile}], or delete the file if the other sources hold the keys"));
            facts.Usable = false;
            return facts;
        }

        SourcedValue? Take(string key) =>
            section.Find(key) is { } entry ? facts.At(entry.Line, entry.Key, entry.Value) : null;

        facts.AccessKeyId = Take("aws_access_key_id");
        facts.SecretAccessKey = Take("aws_secret_access_key");
        facts.SessionToken = Take("aws_session_token");
        facts.Region = Take("region");
        return facts;
    }
}
