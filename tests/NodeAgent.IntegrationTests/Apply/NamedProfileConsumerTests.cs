using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;

using NodeAgent.IntegrationTests.Packaging;

namespace NodeAgent.IntegrationTests.Apply;

/// <summary>
/// `profile: databricks` keeps root's [default] free for the instance role. The keys must still reach every consumer
/// that follows AWS_PROFILE from the rendered .env: botocore (the sensors' Python), the AWS CLI and the .NET SDK,
/// each reading the placed files for real. A decoy [default] with other keys stands for what root's agents use.
/// </summary>
public sealed class NamedProfileConsumerTests
{
    private const string DecoyKeyId = "AKIADECOYDECOYDECOY9";
    private const string DecoySecret = "decoyDecoyDecoyDecoyDecoyDecoyDecoyDecoy";

    [Fact]
    public async Task Botocore_the_AWS_CLI_and_the_dotnet_SDK_read_the_named_profiles_keys_through_AWS_PROFILE()
    {
        using var sandbox = new Sandbox();
        var config = sandbox.WriteConfig("profile: databricks\n");
        var apply = await sandbox.ApplyAsync("--config", config);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        var credentials = sandbox.Target("/root/.aws/credentials");
        var awsConfig = sandbox.Target("/root/.aws/config");
        File.AppendAllText(credentials, $"\n[default]\naws_access_key_id = {DecoyKeyId}\naws_secret_access_key = {DecoySecret}\n");
        File.AppendAllText(awsConfig, "\n[default]\nregion = eu-central-1\n");

        // What a consumer started with env_file: .env gets (compose reads the same file).
        var profile = File.ReadAllLines(sandbox.Target("/opt/sensor/.env")).Single(l => l.StartsWith("AWS_PROFILE=", StringComparison.Ordinal))["AWS_PROFILE=".Length..];
        Assert.Equal("databricks", profile);
        var environment = new Dictionary<string, string>
        {
            ["AWS_PROFILE"] = profile,
            ["AWS_SHARED_CREDENTIALS_FILE"] = credentials,
            ["AWS_CONFIG_FILE"] = awsConfig,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
        string[] unset = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_REGION"];

        var botocore = await Tool.RunAsync("python3",
            ["-c", "import botocore.session as b; s = b.Session(); c = s.get_credentials(); print(c.access_key, c.method, s.get_config_variable('region'))"],
            environment: environment, unset: unset);
        Assert.True(botocore.ExitCode == 0, botocore.ToString());
        Assert.Equal($"{TestData.KeyId} shared-credentials-file us-west-2", botocore.Output.Trim());

        Assert.True(Tool.IsOnPath("aws"), "the AWS CLI is needed for this test: apt-get install -y awscli (.ci/run installs it)");
        var cliKey = await Tool.RunAsync("aws", ["configure", "get", "aws_access_key_id"], environment: environment, unset: unset);
        var cliRegion = await Tool.RunAsync("aws", ["configure", "get", "region"], environment: environment, unset: unset);
        Assert.True(cliKey.ExitCode == 0, cliKey.ToString());
        Assert.Equal(TestData.KeyId, cliKey.Output.Trim());
        Assert.Equal("us-west-2", cliRegion.Output.Trim());

        // The .NET SDK's own profile reader, on the same files, for the profile AWS_PROFILE names.
        var store = new SharedCredentialsFile(credentials);
        Assert.True(store.TryGetProfile(profile, out var named), "the .NET SDK does not find [databricks]");
        Assert.True(AWSCredentialsFactory.TryGetAWSCredentials(named, store, out var sdk));
        var keys = await sdk.GetCredentialsAsync();
        Assert.Equal((TestData.KeyId, TestData.SecretKey), (keys.AccessKey, keys.SecretKey));
        Assert.Equal("us-west-2", named.Region?.SystemName);
    }
}
