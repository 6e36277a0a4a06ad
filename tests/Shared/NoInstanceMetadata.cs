using System.Runtime.CompilerServices;

namespace NodeAgent.TestSupport;

/// <summary>
/// Tests never ask the machine's own instance metadata service: on an EC2 runner it would answer with that runner's
/// role (a clash warning out of nowhere), off EC2 every lookup would wait for 169.254.169.254 to time out. Tests that
/// need IMDS give an in-test responder as imds.endpoint, which wins over this switch, as it does for an operator.
/// Child processes (the AOT binary) inherit it.
/// </summary>
internal static class NoInstanceMetadata
{
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "A test assembly: the switch must be on before any test runs, whichever runs first.")]
    internal static void Disable() => Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
}
