using System.CommandLine;

namespace NodeAgent.Cli;

/// <summary>Options every verb shares, so --config/--root/--sources/--json mean the same thing everywhere.</summary>
public sealed class CommonOptions
{
    public Option<string?> Config { get; } = new("--config") { Description = "configuration file (default /etc/nodeagent/nodeagent.yaml; missing means the standard host layout)" };
    public Option<string?> Root { get; } = new("--root") { Description = "re-root every absolute target path, the default sources and the state directory under DIR (sandbox, demo, tests)" };
    public Option<string?> Sources { get; } = new("--sources") { Description = "directory holding the three source files, used as given (default /opt/deployment/etc/aws/credentials)" };
    public Option<bool> Json { get; } = new("--json") { Description = "print machine-readable JSON instead of text" };

    public void AddTo(Command command, bool sources = true)
    {
        command.Options.Add(Config);
        command.Options.Add(Root);
        if (sources)
        {
            command.Options.Add(Sources);
        }

        command.Options.Add(Json);
    }

    public Pipeline.AgentContext CreateContext(ParseResult result) =>
        Pipeline.AgentContext.Create(result.GetValue(Config), result.GetValue(Root), result.GetValue(Sources));
}
