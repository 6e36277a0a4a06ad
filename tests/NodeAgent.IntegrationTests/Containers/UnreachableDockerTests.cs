using System.Net.Sockets;

using Microsoft.Extensions.Logging;

using NodeAgent.Configuration;
using NodeAgent.Containers;
using NodeAgent.Logging;

namespace NodeAgent.IntegrationTests.Containers;

/// <summary>Docker missing, refusing or silent: every consumer gets a Failed outcome with a reason and a fix, and nothing throws.</summary>
public sealed class UnreachableDockerTests : IDisposable
{
    private static readonly Dictionary<string, string> NewEnvironment = ConsumerUpdaterTests.NewEnvironment;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nodeagent-docker-" + Guid.NewGuid().ToString("N")[..8]);

    public UnreachableDockerTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Update_fails_every_consumer_with_a_fix_when_the_docker_socket_does_not_exist()
    {
        var options = new ContainersOptions { DockerHost = $"unix://{_dir}/missing.sock" };

        var outcomes = await Update(new DockerClientFactory(options, _ => null), options);

        Assert.Equal(["sensor-simulators", "compute"], outcomes.Select(o => o.Consumer));
        Assert.All(outcomes, o =>
        {
            Assert.Equal(ContainerAction.Failed, o.Action);
            Assert.Equal($"no Docker socket at unix://{_dir}/missing.sock (from containers.docker_host)", o.Reason);
            Assert.StartsWith("start dockerd: systemctl start docker", o.Fix);
            Assert.DoesNotContain("   at ", o.Reason, StringComparison.Ordinal);
        });
        ConsumerUpdaterTests.AssertNoSecrets(outcomes);
    }

    [Fact]
    public async Task A_failed_consumer_is_logged_as_an_error_with_its_fix_under_the_containers_failed_id()
    {
        var options = new ContainersOptions { DockerHost = $"unix://{_dir}/missing.sock" };
        var log = new RecordingLogger();

        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var outcomes = await new ConsumerUpdater(new DockerClientFactory(options, _ => null), options, log)
            .UpdateAsync(new ConsumerUpdateRequest(["/root/.aws/credentials"], NewEnvironment), limit.Token);

        Assert.Equal(outcomes.Count, log.Entries.Count);
        Assert.All(log.Entries, e =>
        {
            Assert.Equal(LogLevel.Error, e.Level);
            Assert.Equal(LogEvents.ContainersFailed, e.EventId);
            Assert.Contains(outcomes[0].Fix!, e.Message, StringComparison.Ordinal);
        });
        Assert.Equal(outcomes.Select(o => o.Consumer), log.Entries.Select(e => e.Message.Split(' ')[1]));
    }

    [Fact]
    public async Task Update_fails_every_consumer_when_nothing_listens_on_the_socket()
    {
        // A socket file nobody accepts on (bound, never listening): what a crashed dockerd leaves behind.
        // (.NET unlinks the file when a bound socket is disposed, so it stays bound for the test.)
        var path = Path.Combine(_dir, "dead.sock");
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(path));

        var options = new ContainersOptions { DockerHost = $"unix://{path}" };
        var outcomes = await Update(new DockerClientFactory(options, _ => null), options);

        Assert.All(outcomes, o =>
        {
            Assert.Equal(ContainerAction.Failed, o.Action);
            Assert.Contains("the daemon is down", o.Reason);
            Assert.Contains("systemctl start docker", o.Fix);
        });
    }

    [Fact]
    public async Task Update_gives_up_on_a_docker_socket_that_accepts_but_never_answers()
    {
        var path = Path.Combine(_dir, "silent.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(8);
        var accepted = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await listener.AcceptAsync());
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        });

        var options = new ContainersOptions { DockerHost = $"unix://{path}" };
        var factory = new DockerClientFactory(options, _ => null, requestTimeout: TimeSpan.FromSeconds(1));
        var outcomes = await Update(factory, options);

        Assert.NotEmpty(accepted);
        Assert.All(outcomes, o =>
        {
            Assert.Equal(ContainerAction.Failed, o.Action);
            Assert.Contains("accepted the connection but did not answer", o.Reason);
            Assert.Contains("systemctl status docker", o.Fix);
        });
        listener.Close();
        await accepting;
        accepted.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task DOCKER_HOST_wins_over_the_configured_endpoint_and_is_named_in_the_fix()
    {
        var options = new ContainersOptions { DockerHost = "unix:///var/run/docker.sock" };
        var fromEnv = $"unix://{_dir}/env.sock";
        var factory = new DockerClientFactory(options, name => name == "DOCKER_HOST" ? fromEnv : null);

        var outcomes = await Update(factory, options);

        Assert.Equal(fromEnv, factory.Endpoint);
        Assert.All(outcomes, o =>
        {
            Assert.Equal(ContainerAction.Failed, o.Action);
            Assert.Contains($"{fromEnv} (from DOCKER_HOST)", o.Reason);
            Assert.Contains("is DOCKER_HOST right?", o.Fix);
        });
    }

    [Fact]
    public async Task A_malformed_endpoint_is_reported_not_thrown()
    {
        var options = new ContainersOptions { DockerHost = "docker.sock" };

        var outcomes = await Update(new DockerClientFactory(options, _ => null), options);

        Assert.All(outcomes, o =>
        {
            Assert.Equal(ContainerAction.Failed, o.Action);
            Assert.Contains("is not a unix:// or tcp:// address", o.Reason);
            Assert.Contains("containers.docker_host", o.Fix);
        });
    }

    [Fact]
    public async Task Inspector_reports_every_consumer_unreachable_instead_of_throwing()
    {
        var options = new ContainersOptions { DockerHost = $"unix://{_dir}/missing.sock" };
        var inspector = new ContainerCredentialInspector(new DockerClientFactory(options, _ => null), options);

        var checks = await inspector.InspectAsync(new CurrentCredentials(NewEnvironment, []), CancellationToken.None);

        Assert.Equal(2, checks.Count);
        Assert.All(checks, c =>
        {
            Assert.Equal(ContainerCredentialStatus.Unreachable, c.Status);
            Assert.NotNull(c.Fix);
        });
    }

    [Fact]
    public async Task Finder_throws_a_described_exception_when_docker_is_missing()
    {
        var options = new ContainersOptions { DockerHost = $"unix://{_dir}/missing.sock" };
        var finder = new ConsumerFinder(new DockerClientFactory(options, _ => null), options);

        var e = await Assert.ThrowsAsync<DockerUnavailableException>(() => finder.FindAsync(CancellationToken.None));

        Assert.Contains("no Docker socket", e.Reason);
        Assert.Contains("systemctl start docker", e.Fix);
    }

    private static async Task<IReadOnlyList<ContainerOutcome>> Update(DockerClientFactory factory, ContainersOptions options)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return await new ConsumerUpdater(factory, options)
            .UpdateAsync(new ConsumerUpdateRequest(["/root/.aws/credentials"], NewEnvironment), limit.Token);
    }

    private sealed class RecordingLogger : ILogger<ConsumerUpdater>
    {
        public List<(LogLevel Level, int EventId, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, eventId.Id, formatter(state, exception)));
    }
}
