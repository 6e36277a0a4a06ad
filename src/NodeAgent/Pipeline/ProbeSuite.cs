using NodeAgent.Aws;
using NodeAgent.Containers;
using NodeAgent.Planning;
using NodeAgent.Probes;
using NodeAgent.Rendering;
using NodeAgent.Sources;

namespace NodeAgent.Pipeline;

/// <summary>Which probes a run asks for. ReadOnly leaves out PutObject, GetObject of the probe object and DeleteObject.</summary>
public enum ProbeScope
{
    None,
    ReadOnly,
    Full,
}

/// <summary>
/// The probes of one host, as verify and the daemon run them: identity and every bucket with the credentials that
/// are placed (what the containers read, not the sources), and the consumers. All in parallel, each bounded.
/// </summary>
public sealed class ProbeSuite(AgentServices services)
{
    public async Task<IReadOnlyList<ProbeResult>> RunAsync(CredentialSet set, Plan plan, ProbeScope scope, TimeSpan timeout, CancellationToken ct)
    {
        var rows = new List<ProbeResult>();
        var options = services.Context.Options;
        var probes = new List<IProbe>();
        var placed = set.IsInstanceProfile ? await InstanceRoleAsync(set, rows, ct).ConfigureAwait(false) : PlacedIdentityFor(set, rows);
        if (placed is not null)
        {
            probes.AddRange(AwsProbes.For(placed, set, options, services.AwsClients(timeout), ProbeHostName.Current(),
                readOnly: scope != ProbeScope.Full));
        }

        var environment = EnvFileRenderer.DockerEnvironment(set, options.Profile);
        var watchedFiles = plan.Files.Where(f => f.Desired.HoldsSecret).Select(f => f.Path).ToList();
        probes.Add(new ContainerStateProbe(
            // A container that started within the stability window is looked at twice; keep both looks well inside the
            // probe's own time bound.
            new ContainerCredentialInspector(services.Docker, options.Containers,
                TimeSpan.FromTicks(Math.Min(ContainerReadiness.StabilityWindow.Ticks, timeout.Ticks / 3))),
            new CurrentCredentials(environment, watchedFiles, services.Context.Paths.Root)
            {
                WithdrawnVariables = set.IsInstanceProfile ? EnvFileRenderer.KeyVariables : [],
            }));

        var secrets = set.Secrets.Concat(placed is null ? [] : placed.Secrets);
        var results = await new ProbeRunner(secrets).RunAsync(probes, timeout, ct).ConfigureAwait(false);
        rows.AddRange(placed is null || placed.Equals(set.Identity) || set.IsInstanceProfile ? results : PointAtDrift(results));
        return rows;
    }

    /// <summary>
    /// Identity and the read-only bucket actions with the given (not yet placed) credentials: a rotation's proof. For a
    /// switch to the instance profile that is the role IMDSv2 hands out: no role, or IMDS refusing, keeps the static keys.
    /// </summary>
    public async Task<IReadOnlyList<ProbeResult>> ProveAsync(CredentialSet set, TimeSpan timeout, CancellationToken ct)
    {
        var identity = set.Identity;
        if (set.IsInstanceProfile)
        {
            var lookup = await services.LookUpInstanceRoleAsync(ct).ConfigureAwait(false);
            if (lookup.Role is not { } role)
            {
                // Unlike an AWS outage, an IMDS that does not answer is this host's lasting state (off EC2, IMDS
                // switched off): the working static keys must stay, whatever rotation.when_unverifiable says.
                return [new ProbeResult(InstanceMetadataRows.ProbeName, InstanceMetadataRows.Target, ProbeStatus.Failed,
                    $"the instance profile: {lookup.Problem!.Detail}", lookup.Problem.Fix, lookup.Elapsed, AwsFailureKind.Credentials)];
            }

            identity = role;
        }

        var probes = AwsProbes.For(identity, set, services.Context.Options, services.AwsClients(timeout), ProbeHostName.Current(), readOnly: true);
        return await new ProbeRunner(identity.Secrets).RunAsync(probes, timeout, ct).ConfigureAwait(false);
    }

    /// <summary>Who root's placed credentials file makes the host (null when missing or unreadable), for a rotation to compare with.</summary>
    /// <remarks>
    /// No credentials file beside a config file NodeAgent wrote is a host it put on the instance profile: new static
    /// keys must then prove themselves against that working role like any rotation, not be placed as a first placement.
    /// </remarks>
    public CredentialSource? PlacedIdentity()
    {
        if (ReadPlaced() is not { } placed)
        {
            return null;
        }

        if (placed.Credentials is { } keys)
        {
            return new CredentialSource.StaticKeys(keys);
        }

        return placed.Problem == PlacedCredentials.Missing && RootConfigIsManaged() ? new CredentialSource.InstanceProfile() : null;
    }

    /// <summary>
    /// The AWS probes ran with what is placed, which differs from the sources: their usual fix ("correct the source
    /// file") would send the operator the wrong way. Rewriting the placed file from the sources comes first.
    /// </summary>
    private static IEnumerable<ProbeResult> PointAtDrift(IEnumerable<ProbeResult> rows) => rows.Select(r => r.Status == ProbeStatus.Failed
        ? r with { Fix = "the placed credentials differ from the sources: run nodeagent apply, then verify again" }
        : r);

    private bool RootConfigIsManaged()
    {
        var context = services.Context;
        try
        {
            var config = services.FileSystem.Inspect(context.Paths.Map(context.Options.Targets.AwsHomes[0].ConfigPath));
            return config is { IsOversized: false } && config.Content.AsSpan().StartsWith(System.Text.Encoding.UTF8.GetBytes(AwsProfileRenderer.Header));
        }
        catch (FileSystem.UnsafePathException)
        {
            return false;
        }
    }

    /// <summary>Root's placed credentials file (the first AWS home, which the containers mount); null when no home is configured.</summary>
    private PlacedCredentials.Result? ReadPlaced()
    {
        var context = services.Context;
        if (context.Options.Targets.AwsHomes.Count == 0)
        {
            return null;
        }

        var path = context.Paths.Map(context.Options.Targets.AwsHomes[0].CredentialsPath);
        return Probes.PlacedCredentials.Read(services.FileSystem, path, context.Options.Profile);
    }

    /// <summary>
    /// The instance role's keys from IMDSv2, with the imds row saying what was found. Without a role the AWS probes
    /// cannot run: identity says why, the buckets are skipped.
    /// </summary>
    private async Task<CredentialSource?> InstanceRoleAsync(CredentialSet set, List<ProbeResult> rows, CancellationToken ct)
    {
        var lookup = await services.LookUpInstanceRoleAsync(ct).ConfigureAwait(false);
        rows.Add(InstanceMetadataRows.For(lookup, services.Clock.GetUtcNow()));
        if (lookup.Role is { } role)
        {
            return role;
        }

        rows.Add(new ProbeResult("identity", "sts", ProbeStatus.Failed,
            $"no instance-role credentials to probe with: {lookup.Problem!.Detail}", lookup.Problem.Fix, TimeSpan.Zero));
        rows.AddRange(set.Buckets.Select(b => new ProbeResult("bucket", $"{b.Role}:{b.Name}", ProbeStatus.Skipped,
            "no instance-role credentials to probe with", null, TimeSpan.Zero)));
        return null;
    }

    /// <summary>
    /// When root's placed file is missing or broken, the AWS probes cannot stand for what the containers see, so
    /// they are reported as such instead of run.
    /// </summary>
    private CredentialSource? PlacedIdentityFor(CredentialSet set, List<ProbeResult> rows)
    {
        if (ReadPlaced() is not { } placed)
        {
            return set.Identity;
        }

        if (placed.Credentials is { } keys)
        {
            return new CredentialSource.StaticKeys(keys);
        }

        rows.Add(new ProbeResult("identity", "sts", ProbeStatus.Failed,
            $"placed credentials {placed.Path}: {placed.Problem}", "run: nodeagent apply", TimeSpan.Zero));
        rows.AddRange(set.Buckets.Select(b => new ProbeResult("bucket", $"{b.Role}:{b.Name}", ProbeStatus.Skipped,
            "no usable placed credentials to probe with", "run: nodeagent apply", TimeSpan.Zero)));
        return null;
    }
}
