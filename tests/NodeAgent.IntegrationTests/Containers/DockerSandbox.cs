// Docker inspect models are nullable-annotated throughout; a null here is a test failure anyway (NullReferenceException).
#nullable disable warnings

using System.Diagnostics;

using Docker.DotNet;
using Docker.DotNet.Models;

using NodeAgent.Configuration;
using NodeAgent.Containers;

namespace NodeAgent.IntegrationTests.Containers;

/// <summary>A [Fact] that runs only when the local Docker daemon answers (CI starts one with .ci/lib/dockerd.sh).</summary>
public sealed class DockerFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unreachable = new(Probe);

    public DockerFactAttribute()
    {
        Skip = SkipReason;
    }

    /// <summary>Null when the daemon answers.</summary>
    internal static string? SkipReason => Unreachable.Value is { } why
        ? $"Docker is unreachable ({why}); start it: source .ci/lib/dockerd.sh && dockerd_start"
        : null;

    private static string? Probe()
    {
        try
        {
            using var client = new DockerClientFactory(new ContainersOptions()).ConnectAsync(CancellationToken.None).GetAwaiter().GetResult();
            return null;
        }
        catch (DockerUnavailableException e)
        {
            return e.Reason;
        }
    }
}

/// <summary>A [Theory] that runs only when the local Docker daemon answers.</summary>
public sealed class DockerTheoryAttribute : TheoryAttribute
{
    public DockerTheoryAttribute()
    {
        Skip = DockerFactAttribute.SkipReason;
    }
}

/// <summary>
/// One test's corner of the real daemon: a sandbox root with .aws folders and docker.env, containers created the
/// way compose does (PROJECT-SERVICE-N, compose labels) under a unique project and unique service names, so tests
/// running in parallel never see each other's consumers. Everything is removed on dispose.
/// </summary>
public sealed class DockerSandbox : IAsyncDisposable
{
    public const string Image = "nodeagent-test/busybox:1";

    // Exits promptly on SIGTERM (busybox sh as PID 1 would otherwise ignore it and wait out the stop grace period).
    public static readonly IList<string> SleepForever = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"];

    private static readonly SemaphoreSlim ImageLock = new(1, 1);

    private readonly List<string> _networks = [];

    private DockerSandbox(DockerClient client, string root)
    {
        Client = client;
        Root = root;
        Project = "natest" + Guid.NewGuid().ToString("N")[..8];
        Simulators = "sensor-simulators-" + Project[^4..];
        Compute = "compute-" + Project[^4..];
        Directory.CreateDirectory(RootAws);
        Directory.CreateDirectory(UbuntuAws);
        Directory.CreateDirectory(Path.GetDirectoryName(DockerEnv)!);
        Directory.CreateDirectory(Unrelated);
        File.WriteAllText(RootCredentials, "[default]\naws_access_key_id = AKIAOLD\n");
        File.WriteAllText(UbuntuCredentials, "[default]\naws_access_key_id = AKIAOLD\n");
        File.WriteAllText(DockerEnv, "AWS_ACCESS_KEY_ID=AKIAOLD\n");
        File.WriteAllText(Path.Combine(Unrelated, "data"), "x");
    }

    public DockerClient Client { get; }

    public string Root { get; }

    public string Project { get; }

    /// <summary>Consumer (compose service) names unique to this test.</summary>
    public string Simulators { get; }

    public string Compute { get; }

    public string RootAws => Path.Combine(Root, "root", ".aws");

    public string RootCredentials => Path.Combine(RootAws, "credentials");

    public string UbuntuAws => Path.Combine(Root, "home", "ubuntu", ".aws");

    public string UbuntuCredentials => Path.Combine(UbuntuAws, "credentials");

    public string DockerEnv => Path.Combine(Root, "opt", "sensor", "docker.env");

    public string Unrelated => Path.Combine(Root, "srv", "unrelated");

    public static DockerClientFactory Factory(ContainersOptions options) => new(options, _ => null);

    public static async Task<DockerSandbox> CreateAsync()
    {
        var client = new DockerClientBuilder().WithEndpoint(new Uri("unix:///var/run/docker.sock")).Build();
        await EnsureImageAsync(client);
        var root = Path.Combine(Path.GetTempPath(), "nodeagent-containers-" + Guid.NewGuid().ToString("N")[..8]);
        return new DockerSandbox(client, root);
    }

    public ContainersOptions Options(int restartTimeoutSeconds = 30) =>
        new() { Names = [Simulators, Compute], RestartTimeoutSeconds = restartTimeoutSeconds };

    /// <summary>Create (and start, unless told not to) a container of SERVICE named PROJECT-SERVICE-INDEX.</summary>
    public async Task<string> ComposeServiceAsync(
        string service,
        int index = 1,
        IList<string>? binds = null,
        IList<string>? env = null,
        HealthcheckConfig? healthcheck = null,
        IList<string>? cmd = null,
        RestartPolicyKind restart = RestartPolicyKind.UnlessStopped,
        bool start = true,
        IList<string>? networks = null,
        TimeSpan? stopTimeout = null,
        string? networkMode = null,
        IList<string>? volumes = null,
        long maximumRetryCount = 0)
    {
        var name = $"{Project}-{service}-{index}";
        networks ??= [];
        foreach (var network in networks)
        {
            await EnsureNetworkAsync(network);
        }

        var created = await Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = Image,
            Cmd = cmd ?? SleepForever,
            Env = env ?? [],
            WorkingDir = "/srv",
            Healthcheck = healthcheck!,
            StopTimeout = stopTimeout,
            // Declared like a Dockerfile VOLUME: each gets an anonymous volume.
            Volumes = volumes?.ToDictionary(v => v, _ => new EmptyStruct())!,
            Labels = new Dictionary<string, string>
            {
                ["com.docker.compose.project"] = Project,
                ["com.docker.compose.service"] = service,
                ["com.docker.compose.container-number"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            HostConfig = new HostConfig
            {
                Binds = binds ?? [],
                RestartPolicy = new RestartPolicy { Name = restart, MaximumRetryCount = maximumRetryCount },
                NetworkMode = networkMode ?? (networks.Count > 0 ? networks[0] : "bridge"),
            },
            // Like compose: the service name is an alias on each project network.
            NetworkingConfig = networks.Count == 0 ? null : new NetworkingConfig
            {
                EndpointsConfig = new Dictionary<string, EndpointSettings> { [networks[0]] = new() { Aliases = [service] } },
            },
        });
        foreach (var extra in networks.Skip(1))
        {
            await Client.Networks.ConnectNetworkAsync(extra, new NetworkConnectParameters
            {
                Container = created.ID,
                EndpointConfig = new EndpointSettings { Aliases = [service] },
            });
        }

        if (start)
        {
            await Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            await WaitRunningAsync(created.ID);
        }

        return created.ID;
    }

    public Task<ContainerInspectResponse> InspectAsync(string idOrName) => Client.Containers.InspectContainerAsync(idOrName);

    public async Task<bool> ExistsAsync(string idOrName)
    {
        try
        {
            await Client.Containers.InspectContainerAsync(idOrName);
            return true;
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Running and, when it has a healthcheck, healthy (bounded by a token, not asserted on time).</summary>
    public async Task WaitRunningAsync(string id)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var state = (await Client.Containers.InspectContainerAsync(id, limit.Token)).State;
            if (state.Running && !state.Restarting && (state.Health is null || state.Health.Status == "healthy"))
            {
                return;
            }

            await Task.Delay(100, limit.Token);
        }
    }

    /// <summary>Best effort over every resource: one removal that fails (a container already gone, a network still in
    /// use) must not leave the rest behind. Failures are written to stderr, not thrown: an exception from dispose would
    /// replace the test's own failure.</summary>
    public async ValueTask DisposeAsync()
    {
        var failures = new List<Exception>();
        async Task Try(Func<Task> step)
        {
            try
            {
                await step();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }

        IList<ContainerListResponse> mine = [];
        await Try(async () => mine = await Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"com.docker.compose.project={Project}"] = true },
            },
        }));
        foreach (var c in mine)
        {
            await Try(() => Client.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true }));
        }

        foreach (var network in _networks)
        {
            await Try(() => Client.Networks.DeleteNetworkAsync(network));
        }

        Client.Dispose();
        await Try(() =>
        {
            Directory.Delete(Root, recursive: true);
            return Task.CompletedTask;
        });
        foreach (var failure in failures)
        {
            await Console.Error.WriteLineAsync($"DockerSandbox {Project}: cleanup step failed: {failure.Message}");
        }
    }

    private static async Task EnsureImageAsync(DockerClient client)
    {
        await ImageLock.WaitAsync();
        try
        {
            try
            {
                await client.Images.InspectImageAsync(Image);
                return;
            }
            catch (DockerImageNotFoundException)
            {
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
            }

            var script = Path.Combine(RepoRoot(), ".ci", "lib", "dockerd.sh");
            using var build = Process.Start(new ProcessStartInfo("bash", ["-c", $"source '{script}' && busybox_image"]))!;
            await build.WaitForExitAsync();
            Assert.True(build.ExitCode == 0, $"busybox_image from {script} failed (exit {build.ExitCode})");
        }
        finally
        {
            ImageLock.Release();
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NodeAgent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("NodeAgent.sln not found above " + AppContext.BaseDirectory);
    }

    private async Task EnsureNetworkAsync(string network)
    {
        if (!_networks.Contains(network))
        {
            await Client.Networks.CreateNetworkAsync(new NetworksCreateParameters
            {
                Name = network,
                Labels = new Dictionary<string, string> { ["com.docker.compose.project"] = Project },
            });
            _networks.Add(network);
        }
    }
}
