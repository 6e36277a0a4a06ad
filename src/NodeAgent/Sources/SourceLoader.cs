using NodeAgent.Configuration;

namespace NodeAgent.Sources;

/// <summary>Read and build in one step: the whole of "sources → CredentialSet".</summary>
public static class SourceLoader
{
    /// <exception cref="InvalidInputException">carrying every problem found in the sources.</exception>
    public static CredentialSet Load(string directory, AgentOptions options) => Build(SourceFileReader.Read(directory, options.Sources), options);

    /// <summary>Documents already read (from any <see cref="ISourceProvider"/>) → the validated set.</summary>
    /// <exception cref="InvalidInputException">carrying every problem found in the sources.</exception>
    public static CredentialSet Build(SourceDocuments documents, AgentOptions options) =>
        new CredentialSetBuilder(options.Sources, options.BucketRoles, options.Profile, options.Credentials.Mode).Build(documents);
}
