using NodeAgent.Configuration;
using NodeAgent.FileSystem;
using NodeAgent.Sources;

namespace NodeAgent.Planning;

/// <summary>
/// Turns configured user names into uid/gid. On a host a missing user is an error (the file would otherwise be
/// root-owned and unreadable to its consumer); in a sandbox, ownership falls back to the invoking user and says so.
/// </summary>
public sealed class OwnershipResolver(PathMap paths, string configFile)
{
    public Resolution Resolve(string user, string configKey, List<SourceError> errors)
    {
        var account = UserDirectory.Find(user);
        if (paths.IsSandboxed)
        {
            if (!ProcessIdentity.IsRoot)
            {
                return new Resolution(null, $"{user} (not applied)", $"owner {user} not applied: not running as root in the sandbox, files belong to the invoking user");
            }

            if (account is null)
            {
                return new Resolution(null, $"{user} (not applied)", $"owner {user} not applied: no such user on this machine, files belong to the invoking user");
            }
        }
        else if (account is null)
        {
            var error = new SourceError(configFile, null, $"user \"{user}\" ({configKey}) does not exist on this host",
                $"create it (useradd -m {user}) or set {configKey} in {configFile} to an existing user");
            if (!errors.Contains(error))
            {
                errors.Add(error); // credentials and config of one home share the key: say it once
            }

            return new Resolution(null, user, null);
        }

        return new Resolution(new FileOwner(account!.Uid, account.Gid), $"{user}", null);
    }

    public sealed record Resolution(FileOwner? Owner, string Description, string? Note);
}
