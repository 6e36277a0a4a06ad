namespace NodeAgent.Sources;

/// <summary>Takes keys, region and the configured bucket roles out of the JSON source (expanso-s3-config.json).</summary>
internal static class ConfigFileFacts
{
    public static SourceFacts Extract(SourceDocument document, IReadOnlyList<string> roles, List<SourceError> errors)
    {
        var path = document.Path;
        var facts = new SourceFacts(path, SourceFieldNames.Json);
        var root = SourceJson.Parse(path, document.Bytes, errors);
        if (root is not JsonSourceObject top)
        {
            if (root is not null)
            {
                errors.Add(new SourceError(path, root.Line,
                    "the top-level JSON value is not an object",
                    "the file must be one { … } object with aws_access_key_id, aws_secret_access_key, region and s3_configuration.buckets"));
            }

            facts.Usable = false;
            return facts;
        }

        var before = errors.Count;
        facts.AccessKeyId = TakeString(top, "aws_access_key_id", facts, errors);
        facts.SecretAccessKey = TakeString(top, "aws_secret_access_key", facts, errors);
        facts.SessionToken = TakeString(top, "aws_session_token", facts, errors, nullMeansAbsent: true);
        facts.Region = TakeString(top, "region", facts, errors);

        var buckets = TakeObject(top, "s3_configuration", path, errors) is { } s3 ? s3.Find("buckets") : null;
        if (buckets is not null)
        {
            if (buckets.Value is JsonSourceObject bucketObject)
            {
                facts.BucketsLine = buckets.Line;
                foreach (var role in roles)
                {
                    if (TakeString(bucketObject, role, facts, errors) is { } bucket)
                    {
                        facts.Buckets[role] = bucket;
                    }
                }
            }
            else
            {
                errors.Add(new SourceError(path, buckets.Line,
                    $"s3_configuration.buckets is {Describe(buckets.Value)}, not an object",
                    $"write it as \"buckets\": {{ {string.Join(", ", roles.Select(r => $"\"{r}\": \"BUCKET\""))} }}"));
            }
        }

        facts.Usable = errors.Count == before;
        var holdsAnything = facts.AccessKeyId is not null || facts.SecretAccessKey is not null
            || facts.SessionToken is not null || facts.Region is not null || buckets is not null;
        if (!holdsAnything && facts.Usable)
        {
            errors.Add(new SourceError(path, top.Line,
                "the JSON object holds none of aws_access_key_id, aws_secret_access_key, region, s3_configuration.buckets",
                "copy the complete expanso-s3-config.json from the deployment bundle, or delete the file if the other sources hold everything"));
            facts.Usable = false;
        }

        return facts;
    }

    private static SourcedValue? TakeString(JsonSourceObject parent, string name, SourceFacts facts, List<SourceError> errors, bool nullMeansAbsent = false)
    {
        var member = parent.Find(name);
        switch (member?.Value)
        {
            case null:
                return null;
            case JsonSourceString text:
                return facts.At(member.Line, member.Path, text.Value);
            case JsonSourceScalar { Kind: "null" } when nullMeansAbsent:
                return null;
            default:
                errors.Add(new SourceError(facts.File, member.Line,
                    $"{member.Path} is {Describe(member.Value)}, not a string",
                    $"write the value in double quotes: \"{member.Name}\": \"…\""));
                return null;
        }
    }

    private static JsonSourceObject? TakeObject(JsonSourceObject parent, string name, string path, List<SourceError> errors)
    {
        var member = parent.Find(name);
        if (member is null)
        {
            return null;
        }

        if (member.Value is JsonSourceObject found)
        {
            return found;
        }

        errors.Add(new SourceError(path, member.Line,
            $"{member.Path} is {Describe(member.Value)}, not an object",
            $"write it as \"{name}\": {{ \"buckets\": {{ … }} }}"));
        return null;
    }

    private static string Describe(JsonSourceNode node) => node switch
    {
        JsonSourceObject => "an object",
        JsonSourceArray => "an array",
        JsonSourceString => "a string",
        JsonSourceScalar scalar => scalar.Kind,
        _ => "a value",
    };
}
