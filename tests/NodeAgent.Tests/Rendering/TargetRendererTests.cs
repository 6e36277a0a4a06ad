using System.Text;

using NodeAgent.Configuration;
using NodeAgent.FileSystem;
using NodeAgent.Rendering;

namespace NodeAgent.Tests.Rendering;

public sealed class TargetRendererTests
{
    private static readonly IReadOnlyList<KeyValuePair<string, string>> PassThrough =
    [
        new("SENSOR_LOCATION", "Lisbon dock 3"),
        new("UPLOAD_INTERVAL", "30"),
        new("GREETING", "it's \"quoted\" $HOME"),
    ];

    [Theory]
    [InlineData(TargetKind.AwsCredentials, "credentials")]
    [InlineData(TargetKind.AwsConfig, "config")]
    [InlineData(TargetKind.S3Config, "s3-config.json")]
    [InlineData(TargetKind.StorageConfig, "databricks-storage-config.yaml")]
    [InlineData(TargetKind.DotEnv, "dotenv")]
    [InlineData(TargetKind.DockerEnv, "docker.env")]
    public void Renders_each_target_exactly_as_the_golden_file(TargetKind kind, string golden)
    {
        Assert.Equal(Golden(golden), Text(Render().First(f => f.Kind == kind)));
    }

    [Fact]
    public void Session_token_is_written_to_credentials_json_and_env_files()
    {
        var files = Render(withToken: true);
        Assert.Equal(Golden("credentials-with-token"), Text(files.First(f => f.Kind == TargetKind.AwsCredentials)));
        Assert.Contains($"\"aws_session_token\": \"{TestData.SessionToken}\"", Text(files.First(f => f.Kind == TargetKind.S3Config)));
        Assert.Contains($"AWS_SESSION_TOKEN={TestData.SessionToken}\n", Text(files.First(f => f.Kind == TargetKind.DockerEnv)));
    }

    [Fact]
    public void Output_is_deterministic()
    {
        var a = Render();
        var b = Render();
        Assert.Equal(a.Select(f => Convert.ToHexString(f.Content)), b.Select(f => Convert.ToHexString(f.Content)));
    }

    [Fact]
    public void Every_aws_home_gets_credentials_and_config_owned_by_its_user_with_private_parent()
    {
        var files = Render();
        Assert.Equal(
            ["/root/.aws/credentials", "/root/.aws/config", "/home/ubuntu/.aws/credentials", "/home/ubuntu/.aws/config",
             "/opt/sensor/config/s3-config.json", "/opt/sensor/config/databricks-storage-config.yaml", "/opt/sensor/.env", "/opt/sensor/docker.env"],
            files.Select(f => f.HostPath));
        Assert.All(files.Where(f => f.HostPath.Contains(".aws")), f => Assert.True(f.PrivateParent));
        Assert.Equal(["root", "root", "ubuntu", "ubuntu", "ubuntu", "ubuntu", "ubuntu", "ubuntu"], files.Select(f => f.Owner));
        Assert.All(files.Where(f => f.HoldsSecret), f => Assert.Equal(PermissionBits.Parse("600"), f.Mode));
    }

    [Fact]
    public void Storage_config_never_contains_a_secret()
    {
        var storage = Text(Render(withToken: true).First(f => f.Kind == TargetKind.StorageConfig));
        TestData.AssertNoSecret(storage);
        Assert.False(Render().First(f => f.Kind == TargetKind.StorageConfig).HoldsSecret);
    }

    [Fact]
    public void Non_default_profile_is_named_profile_in_config_but_not_in_credentials()
    {
        var files = new TargetRenderer(new AgentOptions { Profile = "sensors" }).Render(TestData.Set());
        Assert.StartsWith(AwsProfileRenderer.Header + "[sensors]\n", Text(files.First(f => f.Kind == TargetKind.AwsCredentials)));
        Assert.Contains("[profile sensors]\nregion = us-west-2\n", Text(files.First(f => f.Kind == TargetKind.AwsConfig)));
    }

    private static string Golden(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Rendering", "golden", name));

    private static IReadOnlyList<RenderedFile> Render(bool withToken = false) =>
        new TargetRenderer(new AgentOptions()).Render(TestData.Set(withToken, PassThrough));

    private static string Text(RenderedFile f) => Encoding.UTF8.GetString(f.Content);
}
