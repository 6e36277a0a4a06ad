using System.Text;

using NodeAgent.Configuration;
using NodeAgent.FileSystem;
using NodeAgent.Sources;

namespace NodeAgent.Rendering;

/// <summary>
/// CredentialSet → the bytes of every target file. Pure and deterministic: the same set and options always give
/// the same bytes, which is what lets apply skip unchanged files and verify detect drift.
/// </summary>
public sealed class TargetRenderer(AgentOptions options)
{
    private static readonly PermissionBits SecretMode = PermissionBits.OwnerReadWrite;

    public IReadOnlyList<RenderedFile> Render(CredentialSet set)
    {
        var files = new List<RenderedFile>();
        // No key on an instance-profile host: a credentials file left by a static deployment would win over the role.
        var credentials = set.Credentials is { } keys ? Utf8(AwsProfileRenderer.Credentials(keys, options.Profile)) : [];
        var config = Utf8(AwsProfileRenderer.Config(set, options.Profile));
        for (var i = 0; i < options.Targets.AwsHomes.Count; i++)
        {
            var home = options.Targets.AwsHomes[i];
            var key = $"targets.aws_homes[{i}].user";
            files.Add(new RenderedFile(TargetKind.AwsCredentials, home.CredentialsPath, home.User, SecretMode, credentials, true, true, key)
            {
                Absent = set.IsInstanceProfile,
            });

            // The config holds no secret, but the AWS CLI creates it 600 too and some tools warn otherwise.
            files.Add(new RenderedFile(TargetKind.AwsConfig, home.ConfigPath, home.User, SecretMode, config, false, true, key));
        }

        var t = options.Targets;
        files.Add(new RenderedFile(TargetKind.S3Config, t.S3Config.Path, t.S3Config.Owner, t.S3Config.Mode,
            Utf8(S3ConfigJsonRenderer.Render(set)), true, false, "targets.s3_config.owner"));
        files.Add(new RenderedFile(TargetKind.StorageConfig, t.StorageConfig.Path, t.StorageConfig.Owner, t.StorageConfig.Mode,
            Utf8(StorageConfigYamlRenderer.Render(set, options)), false, false, "targets.storage_config.owner"));
        files.Add(new RenderedFile(TargetKind.DotEnv, t.DotEnv.Path, t.DotEnv.Owner, t.DotEnv.Mode,
            Utf8(EnvFileRenderer.DotEnv(set, options.Profile)), true, false, "targets.dotenv.owner"));
        files.Add(new RenderedFile(TargetKind.DockerEnv, t.DockerEnv.Path, t.DockerEnv.Owner, t.DockerEnv.Mode,
            Utf8(EnvFileRenderer.DockerEnv(set, options.Profile)), true, false, "targets.docker_env.owner"));
        return files;
    }

    private static byte[] Utf8(string text) => new UTF8Encoding(false).GetBytes(text);
}
