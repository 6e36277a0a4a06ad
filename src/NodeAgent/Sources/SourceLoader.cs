using NodeAgent.Configuration;

namespace NodeAgent.Sources;

/// <summary>Read and build in one step: the whole of "sources → CredentialSet".</summary>
public static class SourceLoader
{
    /// <exception cref="InvalidInputException">carrying every problem found in the sources.</exception>
    public static CredentialSet Load(string directory, AgentOptions options) =>
        new CredentialSetBuilder(options.Sources, options.BucketRoles, options.Profile).Build(SourceFileReader.Read(directory, options.Sources));
}
