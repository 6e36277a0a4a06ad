using System.Diagnostics;
using System.Net.Sockets;

using NodeAgent.Configuration;
using NodeAgent.Native;
using NodeAgent.Sources;

using static NodeAgent.Tests.Sources.SourceSamples;

namespace NodeAgent.Tests.Sources;

public sealed class SourceFileReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nodeagent-sources-").FullName;
    private readonly SourcesOptions _options = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Absent_files_are_null_not_errors()
    {
        File.WriteAllText(PathOf(_options.ConfigFile), JsonSample);
        var documents = SourceFileReader.Read(_directory, _options);
        Assert.Null(documents.Credentials);
        Assert.Null(documents.Env);
        Assert.Empty(documents.Errors);
        Assert.Equal(PathOf(_options.ConfigFile), documents.Config!.Path);
        Assert.Equal(Bytes(JsonSample), documents.Config.Bytes);
        Assert.Equal(_directory, documents.Directory);
    }

    [Fact]
    public void A_file_over_one_mebibyte_is_rejected_and_the_others_still_read()
    {
        File.WriteAllBytes(PathOf(_options.EnvFile), new byte[SourceFileReader.MaximumBytes + 1]);
        File.WriteAllText(PathOf(_options.CredentialsFile), Ini);
        var documents = SourceFileReader.Read(_directory, _options);
        var error = Assert.Single(documents.Errors);
        Assert.Equal(PathOf(_options.EnvFile), error.File);
        Assert.Contains($"{SourceFileReader.MaximumBytes + 1} bytes; a credential source is at most 1 MiB", error.What, StringComparison.Ordinal);
        Assert.Null(documents.Env);
        Assert.NotNull(documents.Credentials);
    }

    [Fact]
    public void A_file_of_exactly_one_mebibyte_is_read()
    {
        File.WriteAllBytes(PathOf(_options.EnvFile), new byte[SourceFileReader.MaximumBytes]);
        var documents = SourceFileReader.Read(_directory, _options);
        Assert.Empty(documents.Errors);
        Assert.Equal(SourceFileReader.MaximumBytes, documents.Env!.Bytes.Length);
    }

    [Fact]
    public void A_directory_where_a_file_belongs_is_an_error()
    {
        Directory.CreateDirectory(PathOf(_options.CredentialsFile));
        var error = Assert.Single(SourceFileReader.Read(_directory, _options).Errors);
        Assert.Equal(PathOf(_options.CredentialsFile), error.File);
        Assert.Contains("is a directory", error.What, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fifo_as_a_source_is_refused_without_waiting_for_a_writer()
    {
        var fifo = PathOf(_options.EnvFile);
        MakeFifo(fifo);
        File.WriteAllText(PathOf(_options.CredentialsFile), Ini);

        // Nobody opens the FIFO's other end: Read has to return on its own. The wait is only a guard so a
        // regression fails this test instead of hanging the suite; on expiry it opens and closes the write
        // end, which releases a reader blocked in open() and then gives it end-of-file, and fails.
        var reading = Task.Run(() => SourceFileReader.Read(_directory, _options));
        if (await Task.WhenAny(reading, Task.Delay(TimeSpan.FromMinutes(2))) != reading)
        {
            LibC.open(fifo, LibC.O_WRONLY | LibC.O_NONBLOCK, 0).Dispose();
            await Task.WhenAny(reading, Task.Delay(TimeSpan.FromMinutes(1)));
            Assert.Fail("SourceFileReader.Read blocked on a FIFO until its write end was opened");
        }

        var documents = await reading;
        var error = Assert.Single(documents.Errors);
        Assert.Equal(fifo, error.File);
        Assert.Contains("is a FIFO (named pipe), not a regular file", error.What, StringComparison.Ordinal);
        Assert.Contains("replace it with the file from the deployment bundle", error.Fix, StringComparison.Ordinal);
        Assert.Null(documents.Env);
        Assert.NotNull(documents.Credentials);
    }

    [Fact]
    public void A_symlink_to_dev_zero_is_refused_as_a_character_device_not_read_as_empty()
    {
        File.CreateSymbolicLink(PathOf(_options.ConfigFile), "/dev/zero");
        var documents = SourceFileReader.Read(_directory, _options);
        var error = Assert.Single(documents.Errors);
        Assert.Equal(PathOf(_options.ConfigFile), error.File);
        Assert.Contains("is a character device, not a regular file (through the symbolic link to /dev/zero)", error.What, StringComparison.Ordinal);
        Assert.DoesNotContain("bytes", error.What, StringComparison.Ordinal);
        Assert.Null(documents.Config);
    }

    [Fact]
    public void A_unix_socket_as_a_source_is_refused()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(PathOf(_options.CredentialsFile)));
        var error = Assert.Single(SourceFileReader.Read(_directory, _options).Errors);
        Assert.Equal(PathOf(_options.CredentialsFile), error.File);
        Assert.Contains("is a socket, not a regular file", error.What, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlink_to_a_regular_file_is_read()
    {
        var target = Directory.CreateTempSubdirectory("nodeagent-sources-target-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(target, "deployed.env"), Env);
            File.CreateSymbolicLink(PathOf(_options.EnvFile), Path.Combine(target, "deployed.env"));
            var documents = SourceFileReader.Read(_directory, _options);
            Assert.Empty(documents.Errors);
            Assert.Equal(Bytes(Env), documents.Env!.Bytes);
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public void A_symlink_to_a_missing_file_is_an_error_not_an_absent_source()
    {
        File.CreateSymbolicLink(PathOf(_options.EnvFile), PathOf("not-there.env"));
        var error = Assert.Single(SourceFileReader.Read(_directory, _options).Errors);
        Assert.Equal(PathOf(_options.EnvFile), error.File);
        Assert.Contains($"is a symbolic link to {PathOf("not-there.env")}, which does not exist", error.What, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlink_to_a_directory_is_an_error()
    {
        Directory.CreateDirectory(PathOf("elsewhere"));
        File.CreateSymbolicLink(PathOf(_options.ConfigFile), PathOf("elsewhere"));
        var error = Assert.Single(SourceFileReader.Read(_directory, _options).Errors);
        Assert.Contains("is a directory, not a file (through the symbolic link to", error.What, StringComparison.Ordinal);
    }

    [Fact]
    public void Configured_file_names_are_used()
    {
        var options = new SourcesOptions { EnvFile = "site.env" };
        File.WriteAllText(PathOf("site.env"), Env);
        Assert.NotNull(SourceFileReader.Read(_directory, options).Env);
    }

    [Fact]
    public void Loader_rejects_with_the_full_path_of_the_file()
    {
        File.WriteAllText(PathOf(_options.EnvFile), Env.Replace("AWS_DEFAULT_REGION=us-west-2", "AWS_DEFAULT_REGION=us-west2", StringComparison.Ordinal));
        var e = Assert.Throws<InvalidInputException>(() => SourceLoader.Load(_directory, new AgentOptions()));
        Assert.StartsWith($"{PathOf(_options.EnvFile)}:3: AWS_DEFAULT_REGION \"us-west2\" is not an AWS region name", Assert.Single(e.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Loader_reports_an_empty_directory_as_one_error_naming_it()
    {
        var e = Assert.Throws<InvalidInputException>(() => SourceLoader.Load(_directory, new AgentOptions()));
        var error = Assert.Single(e.Errors);
        Assert.Equal(_directory, error.File);
        Assert.Contains("expanso-s3-credentials, expanso-s3-config.json, expanso-production.env", error.What, StringComparison.Ordinal);
    }

    [Fact]
    public void The_deployment_sample_sources_load()
    {
        var set = SourceLoader.Load(SampleSourcesDirectory(), new AgentOptions());
        Assert.Equal("AKIAEXAMPLENODEAGENT", set.Credentials!.AccessKeyId.Reveal());
        Assert.Equal(40, set.Credentials!.SecretAccessKey.Length);
        Assert.Null(set.Credentials!.SessionToken);
        Assert.Equal("us-west-2", set.Region);
        Assert.Equal(
            ["expanso-databricks-raw-us-west-2", "expanso-databricks-schematized-us-west-2", "expanso-databricks-filtered-us-west-2", "expanso-databricks-emergency-us-west-2"],
            set.Buckets.Select(b => b.Name));
        Assert.Empty(set.PassThroughEnvironment);
    }

    [Fact]
    public void A_missing_or_wrong_sources_directory_is_named_as_such()
    {
        var missing = Path.Combine(Path.GetTempPath(), "nodeagent-no-such-dir-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Single(SourceFileReader.Read(missing, new SourcesOptions()).Errors);
        Assert.Equal(missing, error.File);
        Assert.Equal("the sources directory does not exist yet: waiting for the deployer's upload", error.What);
        Assert.Contains("--sources DIR", error.Fix, StringComparison.Ordinal);

        var file = Path.GetTempFileName();
        try
        {
            Assert.Equal("is a file, not the sources directory", Assert.Single(SourceFileReader.Read(file, new SourcesOptions()).Errors).What);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true })!;
        mkfifo.WaitForExit();
        Assert.True(mkfifo.ExitCode == 0, $"mkfifo failed: {mkfifo.StandardError.ReadToEnd()}");
    }

    private static string SampleSourcesDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NodeAgent.sln")))
            {
                return Path.Combine(dir.FullName, "deployment", "sample-sources");
            }
        }

        throw new InvalidOperationException("NodeAgent.sln not found above " + AppContext.BaseDirectory);
    }

    private string PathOf(string name) => Path.Combine(_directory, name);
}
