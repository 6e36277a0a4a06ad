namespace NodeAgent.Sources;

/// <summary>
/// Takes keys, region and buckets out of the .env source (expanso-production.env); every other variable is
/// passed through, in file order, to /opt/sensor/.env and docker.env.
/// </summary>
internal static class EnvFileFacts
{
    private const string DefaultRegion = "AWS_DEFAULT_REGION";
    private const string Region = "AWS_REGION";

    /// <param name="targetProfile">The profile NodeAgent writes into ~/.aws: an AWS_PROFILE naming another one would make
    /// every SDK in the containers look for a profile that is not there.</param>
    public static SourceFacts Extract(SourceDocument document, IReadOnlyList<string> roles, List<SourceError> errors, string targetProfile = "default")
    {
        var path = document.Path;
        var facts = new SourceFacts(path, SourceFieldNames.Env);
        var env = DotEnvParser.Parse(path, document.Bytes);
        errors.AddRange(env.Errors);
        facts.Usable = env.IsValid;
        if (env.IsEmpty)
        {
            errors.Add(new SourceError(path, null,
                "the file is empty (only blank lines or comments)",
                "put AWS_ACCESS_KEY_ID=…, AWS_SECRET_ACCESS_KEY=…, AWS_DEFAULT_REGION=… and the S3_BUCKET_… variables in it, or delete the file if the other sources hold everything"));
            facts.Usable = false;
            return facts;
        }

        var bucketRoles = roles.ToDictionary(r => SourceFieldNames.Env.Bucket!(r), r => r, StringComparer.Ordinal);
        var known = new HashSet<string>(
            [.. bucketRoles.Keys, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", DefaultRegion, Region],
            StringComparer.Ordinal);

        foreach (var variable in env.Variables)
        {
            var value = facts.At(variable.Line, variable.Name, variable.Value);
            switch (variable.Name)
            {
                case "AWS_ACCESS_KEY_ID":
                    facts.AccessKeyId = value;
                    break;
                case "AWS_SECRET_ACCESS_KEY":
                    facts.SecretAccessKey = value;
                    break;
                case "AWS_SESSION_TOKEN":
                    facts.SessionToken = value;
                    break;
                case DefaultRegion or Region:
                    TakeRegion(facts, value, errors);
                    break;
                case var name when bucketRoles.TryGetValue(name, out var role):
                    facts.Buckets[role] = value;
                    facts.BucketsLine ??= variable.Line;
                    break;
                case var name when known.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) is { } meant:
                    errors.Add(new SourceError(path, variable.Line,
                        $"{name} is not {meant}: variable names are case-sensitive, so it would be passed through instead of read",
                        $"spell it {meant}"));
                    break;
                case "AWS_PROFILE" when variable.Value != targetProfile:
                    errors.Add(new SourceError(path, variable.Line,
                        $"AWS_PROFILE names profile \"{variable.Value}\", but NodeAgent writes [{targetProfile}] into ~/.aws/credentials",
                        $"remove AWS_PROFILE, or set `profile: {variable.Value}` in nodeagent.yaml"));
                    break;
                default:
                    PassThrough(facts, variable, errors);
                    break;
            }
        }

        return facts;
    }

    internal static string RegionText(string region) => region.Length <= 32 ? $"\"{region}\"" : "a long value";

    /// <summary>AWS_DEFAULT_REGION and AWS_REGION may both be set (SDKs differ in which they read) but must agree.</summary>
    private static void TakeRegion(SourceFacts facts, SourcedValue value, List<SourceError> errors)
    {
        if (facts.Region is not { } first)
        {
            facts.Region = value;
            return;
        }

        if (!string.Equals(first.Value, value.Value, StringComparison.Ordinal))
        {
            errors.Add(new SourceError(facts.File, value.Line,
                $"{value.Field} ({RegionText(value.Value)}) differs from {first.Field} ({RegionText(first.Value)}) on line {first.Line}",
                "set both to the region the buckets live in, or delete one of them"));
        }
    }

    private static void PassThrough(SourceFacts facts, DotEnvVariable variable, List<SourceError> errors)
    {
        if (variable.Value.AsSpan().IndexOfAny('\n', '\r', '\0') >= 0)
        {
            errors.Add(new SourceError(facts.File, variable.Line,
                $"the value of {variable.Name} contains a line break, which docker.env cannot represent",
                $"put the value of {variable.Name} on one line (no \\n escapes), or remove the variable"));
            return;
        }

        facts.PassThrough.Add(new KeyValuePair<string, string>(variable.Name, variable.Value));
    }
}
