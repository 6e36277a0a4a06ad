using NodeAgent.Configuration;

namespace NodeAgent.Sources;

/// <summary>
/// Turns the source files into the one validated <see cref="CredentialSet"/>. Every file present must be valid
/// and complete for what it holds; together they must cover keys, region and every bucket role; and where they
/// overlap they must agree. All problems are collected and thrown together, secrets masked.
/// </summary>
public sealed class CredentialSetBuilder
{
    private const string IamConsoleFix =
        "from the IAM console (IAM → Users → the NodeAgent user → Security credentials → Create access key)";

    private readonly SourcesOptions _sources;
    private readonly IReadOnlyList<string> _roles;

    private readonly string _targetProfile;
    private readonly CredentialsMode _mode;

    public CredentialSetBuilder(SourcesOptions sources, IReadOnlyList<string> bucketRoles, string targetProfile = "default", CredentialsMode mode = CredentialsMode.Static)
    {
        _sources = sources;
        _roles = bucketRoles;
        _targetProfile = targetProfile;
        _mode = mode;
    }

    /// <exception cref="InvalidInputException">carrying every problem found in the sources.</exception>
    public CredentialSet Build(SourceDocuments documents)
    {
        var errors = new List<SourceError>(documents.Errors);
        var directory = documents.Directory ?? _sources.Directory;
        var files = new List<SourceFacts>();
        if (documents.Credentials is { } credentials)
        {
            files.Add(CredentialsFileFacts.Extract(credentials, _sources.Profile, errors));
        }

        if (documents.Config is { } config)
        {
            files.Add(ConfigFileFacts.Extract(config, _roles, errors));
        }

        if (documents.Env is { } env)
        {
            files.Add(EnvFileFacts.Extract(env, _roles, errors, _targetProfile));
        }

        if (files.Count == 0 && errors.Count == 0)
        {
            throw new InvalidInputException([new SourceError(directory, null,
                $"none of the source files is there ({_sources.CredentialsFile}, {_sources.ConfigFile}, {_sources.EnvFile})",
                $"copy the credential files from the deployment bundle into {directory}")]);
        }

        var valid = new HashSet<SourcedValue>(ReferenceEqualityComparer.Instance);
        foreach (var file in files)
        {
            CheckComplete(file, errors);
            CheckValues(file, valid, errors);
        }

        CheckAgreement(files, valid, errors);
        CheckMode(files, errors);
        if (documents.Errors.Count == 0 && files.All(f => f.Usable))
        {
            // Only when every file was read whole: otherwise what looks missing may sit in the broken file.
            CheckCoverage(files, directory, errors);
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        return Assemble(files);
    }

    private static void CheckValues(SourceFacts file, HashSet<SourcedValue> valid, List<SourceError> errors)
    {
        void Check(SourcedValue? value, Func<string, string?> rule, Func<string, string> shown, string placeholderFix, string ruleFix)
        {
            if (value is null)
            {
                return;
            }

            if (CredentialRules.IsPlaceholder(value.Value))
            {
                var what = value.Value.Trim().Length == 0 ? "is empty" : "still holds a template placeholder, not a real value";
                errors.Add(new SourceError(value.File, value.Line, $"{value.Field} {what}", placeholderFix));
                return;
            }

            if (rule(value.Value) is { } problem)
            {
                errors.Add(new SourceError(value.File, value.Line, $"{value.Field} {shown(value.Value)} {problem}", ruleFix));
                return;
            }

            valid.Add(value);
        }

        Check(file.AccessKeyId, CredentialRules.CheckAccessKeyId, CredentialRules.MaskAccessKeyId,
            $"put the real access key id {IamConsoleFix}",
            $"copy the access key id (AKIA… or ASIA…, 20 characters) exactly as shown {IamConsoleFix}");
        Check(file.SecretAccessKey, CredentialRules.CheckSecretAccessKey, v => Secret.Mask(v),
            $"put the real secret access key {IamConsoleFix}",
            $"copy the 40-character secret access key exactly, without quotes or spaces; if it was lost, create a new access key {IamConsoleFix}");
        Check(file.SessionToken, CredentialRules.CheckSessionToken, v => Secret.Mask(v),
            $"put the real session token issued with the ASIA key {IamConsoleFix} or STS, or delete the {file.Names.SessionToken} line for long-term AKIA keys",
            "copy the whole session token on one line, as STS returned it");
        Check(file.Region, CredentialRules.CheckRegion, EnvFileFacts.RegionText,
            "put the region the buckets live in, for example us-west-2",
            "write the region the buckets live in, for example us-west-2");
        foreach (var bucket in file.Buckets.Values)
        {
            Check(bucket, CredentialRules.CheckBucketName, BucketText,
                "put the real bucket name (S3 console → Buckets)",
                "write the bucket's name exactly as the S3 console shows it");
        }

        if (file.AccessKeyId is { } id && valid.Contains(id))
        {
            var temporary = CredentialRules.IsTemporaryAccessKeyId(id.Value);
            if (temporary && file.SessionToken is null)
            {
                errors.Add(new SourceError(id.File, id.Line,
                    $"{id.Field} {Secret.Mask(id.Value, 4)} is a temporary (ASIA) key, but the file holds no {file.Names.SessionToken}",
                    $"add the {file.Names.SessionToken} issued with this key (STS returns the three together), or use a long-term AKIA key {IamConsoleFix}"));
            }
            else if (!temporary && file.SessionToken is { } token)
            {
                errors.Add(new SourceError(token.File, token.Line,
                    $"{token.Field} is set, but {Secret.Mask(id.Value, 4)} is a long-term key: long-term AKIA keys take no session token",
                    $"delete the {token.Field} line, or use the ASIA key id and secret issued with this token"));
            }
        }
    }

    /// <summary>Two secrets can share the masked form; fingerprints tell them apart without revealing either.</summary>
    private static string Fingerprints(SourcedValue a, SourcedValue b) =>
        $"; fingerprints {Secret.FingerprintOf(b.Value)} vs {Secret.FingerprintOf(a.Value)}";

    private static bool HoldsKeys(SourceFacts file) => file.AccessKeyId is not null || file.SecretAccessKey is not null || file.SessionToken is not null;

    private static string BucketText(string bucket) => bucket.Length <= 70 ? $"\"{bucket}\"" : "(a long value)";

    private void CheckComplete(SourceFacts file, List<SourceError> errors)
    {
        var names = file.Names;
        if (file.AccessKeyId is { } id && file.SecretAccessKey is null)
        {
            errors.Add(new SourceError(file.File, id.Line,
                $"the file holds {names.AccessKeyId} but no {names.SecretAccessKey}",
                $"add {names.SecretAccessKey} (the secret shown once when the key was created in the IAM console), or remove {names.AccessKeyId} so that another file provides both"));
        }

        if (file.SecretAccessKey is { } secret && file.AccessKeyId is null)
        {
            errors.Add(new SourceError(file.File, secret.Line,
                $"the file holds {names.SecretAccessKey} but no {names.AccessKeyId}",
                $"add the {names.AccessKeyId} that belongs to this secret (IAM console → Security credentials), or remove {names.SecretAccessKey} so that another file provides both"));
        }

        if (file.SessionToken is { } token && file.AccessKeyId is null && file.SecretAccessKey is null)
        {
            errors.Add(new SourceError(file.File, token.Line,
                $"the file holds {names.SessionToken} but no access key",
                $"put the session token in the same file as the {names.AccessKeyId} and {names.SecretAccessKey} it was issued with"));
        }

        if (file.Buckets.Count > 0 && names.Bucket is { } bucketName)
        {
            var missing = _roles.Where(r => !file.Buckets.ContainsKey(r)).ToList();
            if (missing.Count > 0)
            {
                errors.Add(new SourceError(file.File, file.BucketsLine,
                    $"the file names buckets for some roles but not for {string.Join(", ", missing)}",
                    $"add {string.Join(", ", missing.Select(bucketName))} (a file that names buckets must name all of {string.Join(", ", _roles)})"));
            }
        }
    }

    private void CheckAgreement(List<SourceFacts> files, HashSet<SourcedValue> valid, List<SourceError> errors)
    {
        const string keysFix = "make every source file hold the same access key (the current one is listed in the IAM console), or remove the keys from all but one file";
        Agree(files.Select(f => f.AccessKeyId), CredentialRules.MaskAccessKeyId, masked: true, keysFix);
        Agree(files.Select(f => f.SecretAccessKey), v => Secret.Mask(v), masked: true, keysFix);
        Agree(files.Select(f => f.Region), EnvFileFacts.RegionText, masked: false,
            "set the same region in every source file (the region the buckets live in)");
        foreach (var role in _roles)
        {
            Agree(files.Select(f => f.Buckets.GetValueOrDefault(role)), BucketText, masked: false,
                $"name the same {role} bucket in every source file");
        }

        // Only files that hold keys say anything about the token: a file without keys has no token to disagree with.
        var withKeys = files.Where(f => f.AccessKeyId is { } id && valid.Contains(id)).ToList();
        var reference = withKeys.FirstOrDefault();
        foreach (var other in withKeys.Skip(1))
        {
            var (a, b) = (reference!.SessionToken, other.SessionToken);
            if ((a is not null && !valid.Contains(a)) || (b is not null && !valid.Contains(b)))
            {
                continue;
            }

            var what = (a, b) switch
            {
                (null, null) => null,
                (null, { } token) => $"{token.Field} is set, but {reference.File} holds the same keys without a session token",
                ({ } token, null) => $"the file holds no {other.Names.SessionToken}, but {token.Where} has one for the same keys",
                ({ } x, { } y) when x.Value != y.Value =>
                    $"{y.Field} ({Secret.Mask(y.Value)}) differs from {x.Where} ({Secret.Mask(x.Value)}){(Secret.Mask(y.Value) == Secret.Mask(x.Value) ? Fingerprints(x, y) : "")}",
                _ => null,
            };
            if (what is not null)
            {
                errors.Add(new SourceError(other.File, b?.Line ?? other.AccessKeyId!.Line, what,
                    "give every file that holds the keys the same session token, or none for long-term AKIA keys"));
            }
        }

        void Agree(IEnumerable<SourcedValue?> values, Func<string, string> shown, bool masked, string fix)
        {
            var present = values.OfType<SourcedValue>().Where(valid.Contains).ToList();
            var first = present.FirstOrDefault();
            foreach (var value in present.Skip(1).Where(v => !string.Equals(v.Value, first!.Value, StringComparison.Ordinal)))
            {
                var extra = masked && shown(value.Value) == shown(first!.Value) ? Fingerprints(first, value) : string.Empty;
                errors.Add(new SourceError(value.File, value.Line,
                    $"{value.Field} ({shown(value.Value)}) differs from {first!.Field} in {first.Where} ({shown(first.Value)}){extra}",
                    fix));
            }
        }
    }

    /// <summary>An instance-profile host must not be handed keys: they would be written nowhere, and whoever put them there meant something else.</summary>
    private void CheckMode(List<SourceFacts> files, List<SourceError> errors)
    {
        if (_mode != CredentialsMode.InstanceProfile)
        {
            return;
        }

        foreach (var file in files.Where(HoldsKeys))
        {
            var first = new[] { file.AccessKeyId, file.SecretAccessKey, file.SessionToken }.OfType<SourcedValue>().First();
            errors.Add(new SourceError(first.File, first.Line,
                $"{first.Field} is set, but credentials.mode is instance-profile: no key is written on this host",
                "remove the key lines from the sources (the instance role is used), or set credentials.mode: static (or auto) in nodeagent.yaml"));
        }
    }

    private void CheckCoverage(List<SourceFacts> files, string directory, List<SourceError> errors)
    {
        var ini = SourceFieldNames.Ini;
        var json = SourceFieldNames.Json;
        var env = SourceFieldNames.Env;
        if (_mode == CredentialsMode.Static && files.All(f => f.AccessKeyId is null && f.SecretAccessKey is null))
        {
            errors.Add(new SourceError(directory, null,
                "no source file holds the AWS access key (key id and secret)",
                $"add {ini.AccessKeyId} and {ini.SecretAccessKey} under [{_sources.Profile}] in {_sources.CredentialsFile}, "
                + $"or {json.AccessKeyId} and {json.SecretAccessKey} to {_sources.ConfigFile}, "
                + $"or {env.AccessKeyId} and {env.SecretAccessKey} to {_sources.EnvFile}, with the values {IamConsoleFix}"));
        }

        if (files.All(f => f.Region is null))
        {
            errors.Add(new SourceError(directory, null,
                "no source file holds the region",
                $"add {ini.Region} under [{_sources.Profile}] in {_sources.CredentialsFile}, or \"{json.Region}\" to {_sources.ConfigFile}, "
                + $"or {env.Region} to {_sources.EnvFile} (the region the buckets live in, for example us-west-2)"));
        }

        var missing = _roles.Where(r => files.All(f => !f.Buckets.ContainsKey(r))).ToList();
        if (missing.Count > 0)
        {
            errors.Add(new SourceError(directory, null,
                $"no source file names the bucket for {string.Join(", ", missing)}",
                $"add {string.Join(", ", missing.Select(json.Bucket!))} to {_sources.ConfigFile}, "
                + $"or {string.Join(", ", missing.Select(env.Bucket!))} to {_sources.EnvFile}"));
        }
    }

    private CredentialSet Assemble(List<SourceFacts> files)
    {
        var region = files.First(f => f.Region is not null).Region!.Value;
        var buckets = _roles
            .Select(role => new BucketAssignment(role, files.First(f => f.Buckets.ContainsKey(role)).Buckets[role].Value))
            .ToList();
        var passThrough = files.SelectMany(f => f.PassThrough).ToList();
        if (files.FirstOrDefault(f => f.AccessKeyId is not null) is not { } keys)
        {
            var why = _mode == CredentialsMode.InstanceProfile
                ? "credentials.mode is instance-profile"
                : "credentials.mode is auto and no source file holds keys";
            return new CredentialSet(null, region, buckets, passThrough) { Choice = new CredentialsChoice(true, why) };
        }

        var credentials = new AwsCredentials(
            Secret.AccessKeyId(keys.AccessKeyId!.Value),
            Secret.Of(keys.SecretAccessKey!.Value),
            keys.SessionToken is { } token ? Secret.Of(token.Value) : null);
        var reason = _mode == CredentialsMode.Static
            ? "credentials.mode is static"
            : $"credentials.mode is auto and {keys.File} holds keys";
        return new CredentialSet(credentials, region, buckets, passThrough) { Choice = new CredentialsChoice(false, reason) };
    }
}
