using NodeAgent.Planning;
using NodeAgent.Probes;
using NodeAgent.Rendering;
using NodeAgent.Sources;

namespace NodeAgent.Pipeline;

/// <summary>
/// Static keys as [default] in root's credentials file move every root-run agent that reads it (SSM agent,
/// CloudWatch agent) off the instance role: the shared file comes before the instance profile in every SDK's chain.
/// So when IMDS reports an instance role and apply is about to write [default] there, it warns with the consequence
/// and the fix (a named profile). Asked only then: a host without IMDS pays the lookup only when root's file changes.
/// </summary>
public sealed class IdentityClashGuard(AgentServices services)
{
    public const string Probe = "clash";

    /// <summary>The warning row, or null when there is no clash (or nothing to say it with: no root home, no role).</summary>
    public async Task<ProbeResult?> CheckAsync(CredentialSet set, Plan plan, CancellationToken ct)
    {
        var options = services.Context.Options;
        if (set.IsInstanceProfile || options.Profile != "default"
            || options.Targets.AwsHomes.FirstOrDefault(h => h.User == "root") is not { } root)
        {
            return null;
        }

        var path = services.Context.Paths.Map(root.CredentialsPath);
        var writing = plan.Files.Any(f => f.Path == path && f.Desired.Kind == TargetKind.AwsCredentials && f.ContentChanged && !plan.IsRefused(f.Domain));
        if (!writing)
        {
            return null;
        }

        var lookup = await services.LookUpInstanceRoleAsync(ct).ConfigureAwait(false);
        if (lookup.Role is not { } role)
        {
            return null;
        }

        return new ProbeResult(Probe, $"{root.CredentialsPath} [default]", ProbeStatus.Warning,
            $"this instance has the role {role.RoleName}, and [default] in {root.CredentialsPath} takes root's other agents "
            + $"(SSM agent, CloudWatch agent) off it: they will act as {set.Identity.Masked} instead",
            "write the keys under a named profile: set `profile: databricks` in /etc/nodeagent/nodeagent.yaml (AWS_PROFILE follows in .env and "
            + "docker.env, and the Databricks YAML names it), or use the role itself with credentials.mode: instance-profile",
            lookup.Elapsed);
    }
}
