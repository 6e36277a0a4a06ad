using System.Text;

using NodeAgent.FileSystem;
using NodeAgent.Sources;

using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NodeAgent.Configuration;

/// <summary>
/// Reads /etc/nodeagent/nodeagent.yaml. A missing file at the default location means the defaults; a file named
/// with --config must exist. Unknown keys and wrong types are errors with line numbers, all reported at once.
/// </summary>
public static partial class AgentOptionsLoader
{
    public const string DefaultPath = "/etc/nodeagent/nodeagent.yaml";

    private const int MaxBytes = 1024 * 1024;

    public static AgentOptions Load(string path, bool mustExist)
    {
        if (!File.Exists(path))
        {
            if (mustExist)
            {
                throw new InvalidInputException([new SourceError(path, null, "configuration file does not exist", "check the --config path, or omit --config to use the defaults")]);
            }

            return new AgentOptions();
        }

        string text;
        try
        {
            var info = new FileInfo(path);
            if ((info.Attributes & FileAttributes.Directory) != 0 || info.Length > MaxBytes)
            {
                throw new InvalidInputException([new SourceError(path, null, info.Attributes.HasFlag(FileAttributes.Directory)
                    ? "is a directory, not a configuration file" : $"configuration file is {info.Length} bytes, over the 1 MiB limit",
                    "point --config at the NodeAgent YAML file")]);
            }

            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException([new SourceError(path, null, $"cannot be read: {e.Message}",
                "run nodeagent as root (sudo), or make the file readable by this user")]);
        }

        return Parse(path, text);
    }

    public static AgentOptions Parse(string file, string yaml)
    {
        YamlDepthLimit.Check(file, yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new InvalidInputException([new SourceError(file, (int)e.Start.Line, $"not valid YAML: {e.Message}", "fix the indentation or quoting at that line (deployment/nodeagent.yaml shows every key)")]);
        }

        if (stream.Documents.Count > 1)
        {
            throw new InvalidInputException([new SourceError(file, (int)stream.Documents[1].RootNode.Start.Line,
                "a second YAML document (after ---) would be ignored", "keep every setting in one document: remove the --- line")]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return new AgentOptions();
        }

        var errors = new List<SourceError>();
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InvalidInputException([new SourceError(file, (int)stream.Documents[0].RootNode.Start.Line, "the configuration must be a mapping of keys", "start with e.g. `sources:` at column 1")]);
        }

        var options = Bind(new YamlConfigReader(file, root, string.Empty, errors));
        Validate(options, file, errors);
        if (errors.Count > 0)
        {
            // Read order follows the code, not the file; operators fix top to bottom.
            throw new InvalidInputException(errors.OrderBy(e => e.Line ?? int.MaxValue).ToList());
        }

        return options;
    }

    internal static List<(string Key, string Path)> TargetPaths(AgentOptions o)
    {
        var paths = new List<(string Key, string Path)>();
        for (var i = 0; i < o.Targets.AwsHomes.Count; i++)
        {
            paths.Add(($"targets.aws_homes[{i}] credentials", o.Targets.AwsHomes[i].CredentialsPath));
            paths.Add(($"targets.aws_homes[{i}] config", o.Targets.AwsHomes[i].ConfigPath));
        }

        paths.Add(("targets.s3_config.path", o.Targets.S3Config.Path));
        paths.Add(("targets.storage_config.path", o.Targets.StorageConfig.Path));
        paths.Add(("targets.dotenv.path", o.Targets.DotEnv.Path));
        paths.Add(("targets.docker_env.path", o.Targets.DockerEnv.Path));
        return paths.Where(p => p.Path.StartsWith('/')).ToList();
    }

    private static AgentOptions Bind(YamlConfigReader r)
    {
        var d = new AgentOptions();
        var sources = r.Section("sources");
        var targets = r.Section("targets");
        var containers = r.Section("containers");
        var s3 = r.Section("s3");
        var sts = r.Section("sts");
        var probes = r.Section("probes");
        var rotation = r.Section("rotation");
        var daemon = r.Section("daemon");
        var logging = r.Section("logging");
        var status = r.Section("status");
        var credentials = r.Section("credentials");
        var imds = r.Section("imds");
        var reporting = r.Section("reporting");

        var options = new AgentOptions
        {
            Profile = r.String("profile", d.Profile),
            BucketRoles = r.StringList("bucket_roles", d.BucketRoles),
            StateDirectory = r.String("state_directory", d.StateDirectory),
            Sources = sources is null ? d.Sources : BindSources(sources, d.Sources),
            Targets = targets is null ? d.Targets : BindTargets(targets, d.Targets),
            Containers = containers is null ? d.Containers : new ContainersOptions
            {
                Names = containers.StringList("names", d.Containers.Names),
                DockerHost = containers.String("docker_host", d.Containers.DockerHost),
                RestartTimeoutSeconds = containers.Int("restart_timeout_seconds", d.Containers.RestartTimeoutSeconds, 1, 3600),
            },
            S3 = s3 is null ? d.S3 : new EndpointOptions { Endpoint = s3.OptionalString("endpoint") },
            Sts = sts is null ? d.Sts : new EndpointOptions { Endpoint = sts.OptionalString("endpoint") },
            Probes = probes is null ? d.Probes : new ProbeOptions
            {
                TimeoutSeconds = probes.Int("timeout_seconds", d.Probes.TimeoutSeconds, 1, 300),
                ObjectPrefix = probes.String("object_prefix", d.Probes.ObjectPrefix),
            },
            Rotation = rotation is null ? d.Rotation : new RotationOptions
            {
                VerifyBeforeSwap = rotation.Bool("verify_before_swap", d.Rotation.VerifyBeforeSwap),
                WhenUnverifiable = rotation.Choice("when_unverifiable", "apply", ["apply", "keep"]) == "keep"
                    ? UnverifiableRotation.Keep : UnverifiableRotation.Apply,
                MaxKeyAgeDays = rotation.Int("max_key_age_days", d.Rotation.MaxKeyAgeDays, 1, 3650),
            },
            Daemon = daemon is null ? d.Daemon : new DaemonOptions
            {
                SettleSeconds = daemon.Int("settle_seconds", d.Daemon.SettleSeconds, 1, 600),
                DriftIntervalSeconds = daemon.Int("drift_interval_seconds", d.Daemon.DriftIntervalSeconds, 1, 86400),
                ProbeIntervalSeconds = daemon.Int("probe_interval_seconds", d.Daemon.ProbeIntervalSeconds, 1, 86400),
                WriteProbeIntervalSeconds = daemon.Int("write_probe_interval_seconds", d.Daemon.WriteProbeIntervalSeconds, 1, 604800),
                MaxBackoffSeconds = daemon.Int("max_backoff_seconds", d.Daemon.MaxBackoffSeconds, 1, 3600),
            },
            Logging = logging is null ? d.Logging : new LoggingOptions
            {
                Directory = logging.String("directory", d.Logging.Directory),
                RetainedFiles = logging.Int("retained_files", d.Logging.RetainedFiles, 1, 366),
            },
            Status = status is null ? d.Status : new StatusOptions
            {
                StaleAfterSeconds = status.Int("stale_after_seconds", d.Status.StaleAfterSeconds, 1, 31_536_000),
            },
            Credentials = credentials is null ? d.Credentials : new CredentialsOptions
            {
                Mode = credentials.Choice("mode", "auto", ["auto", "static", "instance-profile"]) switch
                {
                    "static" => CredentialsMode.Static,
                    "instance-profile" => CredentialsMode.InstanceProfile,
                    _ => CredentialsMode.Auto,
                },
            },
            Imds = imds is null ? d.Imds : new ImdsOptions
            {
                Endpoint = imds.OptionalString("endpoint"),
                TimeoutSeconds = imds.Int("timeout_seconds", d.Imds.TimeoutSeconds, 1, 60),
            },
            Reporting = reporting is null ? d.Reporting : BindReporting(reporting, d.Reporting),
        };

        foreach (var section in new[] { sources, containers, s3, sts, probes, rotation, daemon, logging, status, credentials, imds, reporting })
        {
            section?.RejectUnknownKeys();
        }

        r.RejectUnknownKeys();
        return options;
    }

    private static SourcesOptions BindSources(YamlConfigReader r, SourcesOptions d)
    {
        var ssm = r.Section("ssm");
        var options = new SourcesOptions
        {
            Directory = r.String("directory", d.Directory),
            CredentialsFile = r.String("credentials_file", d.CredentialsFile),
            ConfigFile = r.String("config_file", d.ConfigFile),
            EnvFile = r.String("env_file", d.EnvFile),
            Profile = r.String("profile", d.Profile),
            Provider = r.Choice("provider", "directory", ["directory", "ssm"]) == "ssm" ? SourceProviderKind.Ssm : SourceProviderKind.Directory,
            Ssm = ssm is null ? d.Ssm : new SsmSourceOptions
            {
                Parameter = ssm.OptionalString("parameter"),
                PollSeconds = ssm.Int("poll_seconds", d.Ssm.PollSeconds, 1, 86400),
                Region = ssm.OptionalString("region"),
                Endpoint = ssm.OptionalString("endpoint"),
            },
        };
        ssm?.RejectUnknownKeys();
        return options;
    }

    private static ReportingOptions BindReporting(YamlConfigReader r, ReportingOptions d)
    {
        var s3 = r.Section("s3");
        var textfile = r.Section("textfile");
        var options = new ReportingOptions
        {
            S3 = s3 is null ? d.S3 : new S3ReportingOptions
            {
                Uri = s3.OptionalString("uri"),
                HeartbeatSeconds = s3.Int("heartbeat_seconds", d.S3.HeartbeatSeconds, 1, 86400),
                Region = s3.OptionalString("region"),
                Endpoint = s3.OptionalString("endpoint"),
            },
            Textfile = textfile is null ? d.Textfile : new TextfileReportingOptions { Path = textfile.String("path", d.Textfile.Path) },
        };
        s3?.RejectUnknownKeys();
        textfile?.RejectUnknownKeys();
        return options;
    }

    private static TargetsOptions BindTargets(YamlConfigReader r, TargetsOptions d)
    {
        var homes = r.SectionList("aws_homes");
        var storage = r.Section("storage_config");
        var targets = new TargetsOptions
        {
            AwsHomes = homes is null ? d.AwsHomes : homes.Select(BindHome).ToList(),
            S3Config = BindFile(r.Section("s3_config"), d.S3Config),
            DotEnv = BindFile(r.Section("dotenv"), d.DotEnv),
            DockerEnv = BindFile(r.Section("docker_env"), d.DockerEnv),
            StorageConfig = storage is null ? d.StorageConfig : new StorageConfigTarget
            {
                Path = storage.String("path", d.StorageConfig.Path),
                Owner = storage.String("owner", d.StorageConfig.Owner),
                Mode = storage.Mode("mode", d.StorageConfig.Mode),
                SharedCredentialsFile = storage.String("shared_credentials_file", d.StorageConfig.SharedCredentialsFile),
                ConfigFile = storage.String("config_file", d.StorageConfig.ConfigFile),
            },
        };
        storage?.RejectUnknownKeys();
        r.RejectUnknownKeys();
        return targets;
    }

    private static AwsHomeTarget BindHome(YamlConfigReader r)
    {
        var user = r.OptionalString("user");
        var home = r.OptionalString("home");
        if (user is null)
        {
            r.Error($"{r.Path}.user is missing", "name the account, e.g. `user: ubuntu`");
        }

        r.RejectUnknownKeys();
        return new AwsHomeTarget(user ?? string.Empty, home ?? (user == "root" ? "/root" : $"/home/{user}"));
    }

    private static FileTarget BindFile(YamlConfigReader? r, FileTarget d)
    {
        if (r is null)
        {
            return d;
        }

        var target = new FileTarget(r.String("path", d.Path), r.String("owner", d.Owner), r.Mode("mode", d.Mode));
        r.RejectUnknownKeys();
        return target;
    }

    /// <summary>Cross-field rules: a secret-bearing file must never be configured readable by others.</summary>
    private static void Validate(AgentOptions o, string file, List<SourceError> errors)
    {
        void Check(bool ok, string what, string fix)
        {
            if (!ok)
            {
                errors.Add(new SourceError(file, null, what, fix));
            }
        }

        foreach (var (key, target) in new[] { ("targets.s3_config", o.Targets.S3Config), ("targets.dotenv", o.Targets.DotEnv), ("targets.docker_env", o.Targets.DockerEnv) })
        {
            Check(!target.Mode.HasAny(PermissionBits.GroupOrOtherAccess),
                $"{key}.mode {target.Mode} would let other users read a secret key",
                "use \"0600\" (or \"0400\")");
            Check(target.Path.StartsWith('/'), $"{key}.path \"{target.Path}\" is not absolute", "write the full path, starting with /");
        }

        Check(o.Targets.StorageConfig.Path.StartsWith('/'), "targets.storage_config.path is not absolute", "write the full path, starting with /");
        foreach (var home in o.Targets.AwsHomes)
        {
            Check(home.Home.StartsWith('/'), $"targets.aws_homes home \"{home.Home}\" is not absolute", "write the full path, e.g. /home/ubuntu");
        }

        Check(o.Targets.AwsHomes.Select(h => h.Home).Distinct(StringComparer.Ordinal).Count() == o.Targets.AwsHomes.Count,
            "targets.aws_homes lists the same home twice", "list each home once");
        Check(o.BucketRoles.Count > 0, "bucket_roles is empty", "list at least one role, e.g. [raw]");
        Check(o.BucketRoles.All(r => r.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-')),
            "bucket_roles may hold only lower-case letters, digits, '-' and '_'", "rename the role, e.g. raw");
        Check(o.BucketRoles.Distinct(StringComparer.Ordinal).Count() == o.BucketRoles.Count, "bucket_roles lists a role twice", "list each role once");
        Check(o.Containers.Names.Count == o.Containers.Names.Distinct(StringComparer.Ordinal).Count(), "containers.names lists a name twice", "list each once");
        Check(o.Sources.Provider != SourceProviderKind.Ssm || !string.IsNullOrWhiteSpace(o.Sources.Ssm.Parameter),
            "sources.provider is ssm, but sources.ssm.parameter is not set",
            "set sources.ssm.parameter to the SecureString parameter holding the expanso-s3-config.json document (e.g. /expanso/s3-config), or sources.provider: directory");
        Check(o.Sources.Ssm.Parameter is null || !o.Sources.Ssm.Parameter.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)),
            "sources.ssm.parameter holds a space or control character, which no SSM parameter name can", "write the name exactly, e.g. /expanso/s3-config");
        foreach (var (key, endpoint) in new[] { ("s3.endpoint", o.S3.Endpoint), ("sts.endpoint", o.Sts.Endpoint), ("sources.ssm.endpoint", o.Sources.Ssm.Endpoint) })
        {
            Check(endpoint is null || (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"),
                $"{key} \"{endpoint}\" is not an http(s) URL", "write e.g. http://127.0.0.1:4566");
        }

        Check(o.StateDirectory.StartsWith('/'), "state_directory is not absolute", "write the full path, e.g. /var/lib/nodeagent");
        Check(o.Logging.Directory.StartsWith('/'), "logging.directory is not absolute", "write the full path, e.g. /var/log/nodeagent");

        foreach (var (key, path) in TargetPaths(o).Append(("state_directory", o.StateDirectory)).Append(("logging.directory", o.Logging.Directory)).Append(("sources.directory", o.Sources.Directory)))
        {
            // ".." lets a path climb out of --root and reads as one place while meaning another.
            Check(!path.Split('/').Contains(".."), $"{key} \"{path}\" contains a '..' segment",
                $"write the resolved path without '..', e.g. {HostPath.Normalize(path.StartsWith('/') ? path : "/" + path)}");
        }

        errors.AddRange(TargetPlacement.SystemTreeErrors(TargetPaths(o), file));

        foreach (var (key, profile) in new[] { ("profile", o.Profile), ("sources.profile", o.Sources.Profile) })
        {
            // Written between [ ] in INI files: anything else could end the section header or inject a line.
            Check(ProfileName().IsMatch(profile), $"{key} \"{profile}\" is not a usable profile name",
                "use letters, digits and . _ - @ + only, e.g. default");
        }

        var targets = TargetPaths(o);
        foreach (var group in targets.GroupBy(t => HostPath.Normalize(t.Path), StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add(new SourceError(file, null, $"{string.Join(" and ", group.Select(t => t.Key))} name the same file {group.Key}",
                "give every target its own path"));
        }

        var state = HostPath.Normalize(o.StateDirectory);
        foreach (var (key, path) in targets.Where(t => Overlaps(HostPath.Normalize(t.Path), state)))
        {
            errors.Add(new SourceError(file, null, $"state_directory {state} overlaps {key} {path}",
                "keep state_directory (backups, reports) apart from the targets, e.g. /var/lib/nodeagent"));
        }

        foreach (var (key, mode) in new[] { ("targets.s3_config.mode", o.Targets.S3Config.Mode), ("targets.storage_config.mode", o.Targets.StorageConfig.Mode),
                     ("targets.dotenv.mode", o.Targets.DotEnv.Mode), ("targets.docker_env.mode", o.Targets.DockerEnv.Mode) })
        {
            Check(!mode.HasAny(PermissionBits.SpecialBits), $"{key} {mode} sets setuid, setgid or sticky bits",
                "use plain permissions, e.g. \"0600\"");
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9_.@+\-]+$")]
    private static partial System.Text.RegularExpressions.Regex ProfileName();

    private static bool Overlaps(string a, string b) => HostPath.IsSameOrUnder(a, b) || HostPath.IsSameOrUnder(b, a);
}
