using System.Reflection;

namespace NodeAgent.Pipeline;

public static class AgentVersion
{
    /// <summary>The informational version without the source-link commit suffix the SDK appends.</summary>
    public static string Current { get; } =
        (typeof(AgentVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];
}
