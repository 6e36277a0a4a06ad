using NodeAgent.Sources;

using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace NodeAgent.Configuration;

/// <summary>
/// Refuses a configuration nested deeper than any real one before YamlDotNet builds its node tree: the tree is built
/// recursively, and 100k levels crashed the agent with a stack overflow. The event scan itself keeps no recursion.
/// </summary>
public static class YamlDepthLimit
{
    /// <summary>The deepest real key is targets.aws_homes[i].user (4 levels); 32 leaves room for any layout.</summary>
    public const int MaxDepth = 32;

    public static void Check(string file, string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case MappingStart or SequenceStart:
                        if (++depth > MaxDepth)
                        {
                            throw new InvalidInputException([new SourceError(file, (int)parser.Current!.Start.Line,
                                $"the configuration nests deeper than {MaxDepth} levels", "flatten it: deployment/nodeagent.yaml shows every key, none deeper than 4 levels")]);
                        }

                        break;
                    case MappingEnd or SequenceEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (YamlException)
        {
            // Syntax errors are reported by the full parse, with their line.
        }
    }
}
