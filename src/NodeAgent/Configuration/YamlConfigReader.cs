using NodeAgent.FileSystem;
using NodeAgent.Sources;

using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NodeAgent.Configuration;

/// <summary>
/// A strict view over one YAML mapping: every key must be read or it is reported as unknown, every value must
/// have the expected type. Built on YamlDotNet's representation model (no reflection, so Native AOT is safe)
/// because it keeps line numbers for every node, which an operator needs to find a mistake.
/// </summary>
internal sealed class YamlConfigReader
{
    private readonly string _file;
    private readonly YamlMappingNode _node;
    private readonly string _path;
    private readonly List<SourceError> _errors;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public YamlConfigReader(string file, YamlMappingNode node, string path, List<SourceError> errors)
    {
        _file = file;
        _node = node;
        _path = path;
        _errors = errors;
    }

    public string Path => _path;

    public string String(string key, string fallback) => OptionalString(key) ?? fallback;

    public string? OptionalString(string key)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? string.Empty;
        }

        Error(node, $"{KeyPath(key)} must be a single value, not a {Describe(node)}", $"write it as `{key}: VALUE`");
        return null;
    }

    public int Int(string key, int fallback, int min, int max)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return fallback;
        }

        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text } &&
            int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            if (value >= min && value <= max)
            {
                return value;
            }

            Error(node, $"{KeyPath(key)} is {value}, outside {min}..{max}", $"use a whole number from {min} to {max}");
            return fallback;
        }

        Error(node, $"{KeyPath(key)} must be a whole number, got {Describe(node)}", $"write e.g. `{key}: {fallback}`");
        return fallback;
    }

    public bool Bool(string key, bool fallback)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return fallback;
        }

        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } scalar)
        {
            return scalar.Value == "true";
        }

        Error(node, $"{KeyPath(key)} must be true or false, got {Describe(node)}", $"write `{key}: {(fallback ? "true" : "false")}`");
        return fallback;
    }

    /// <summary>One of a fixed set of words, e.g. `when_unverifiable: apply | keep`.</summary>
    public string Choice(string key, string fallback, IReadOnlyList<string> allowed)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return fallback;
        }

        if (node is YamlScalarNode { Value: { } text } && allowed.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }

        Error(node, $"{KeyPath(key)} must be one of {string.Join(", ", allowed)}, got {Describe(node)}", $"write e.g. `{key}: {fallback}`");
        return fallback;
    }

    /// <summary>A Unix mode written as octal text ("0600" or 600); quoted or not, YAML would read 0600 as 384 otherwise.</summary>
    public PermissionBits Mode(string key, PermissionBits fallback)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return fallback;
        }

        if (node is YamlScalarNode { Value: var text } && PermissionBits.TryParse(text, out var mode))
        {
            return mode;
        }

        Error(node, $"{KeyPath(key)} must be an octal file mode like \"0600\", got {Describe(node)}", "quote it: `mode: \"0600\"`");
        return fallback;
    }

    public IReadOnlyList<string> StringList(string key, IReadOnlyList<string> fallback)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return fallback;
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(node, $"{KeyPath(key)} must be a list, got {Describe(node)}", $"write `{key}: [a, b]`");
            return fallback;
        }

        var items = new List<string>();
        foreach (var item in sequence.Children)
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } value })
            {
                items.Add(value);
            }
            else
            {
                Error(item, $"{KeyPath(key)} items must be non-empty text, got {Describe(item)}", "write each item as plain text");
            }
        }

        return items;
    }

    public YamlConfigReader? Section(string key)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is YamlMappingNode mapping)
        {
            return new YamlConfigReader(_file, mapping, KeyPath(key), _errors);
        }

        Error(node, $"{KeyPath(key)} must be a mapping of keys, got {Describe(node)}", $"indent its keys under `{key}:`");
        return null;
    }

    public IReadOnlyList<YamlConfigReader>? SectionList(string key)
    {
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(node, $"{KeyPath(key)} must be a list, got {Describe(node)}", $"write each entry as `- key: value` under `{key}:`");
            return null;
        }

        var readers = new List<YamlConfigReader>();
        var index = 0;
        foreach (var item in sequence.Children)
        {
            if (item is YamlMappingNode mapping)
            {
                readers.Add(new YamlConfigReader(_file, mapping, $"{KeyPath(key)}[{index}]", _errors));
            }
            else
            {
                Error(item, $"{KeyPath(key)}[{index}] must be a mapping, got {Describe(item)}", "write it as `- user: NAME` with its keys indented");
            }

            index++;
        }

        return readers;
    }

    /// <summary>Reports every key that no reader asked for; call after all reads of this mapping.</summary>
    public void RejectUnknownKeys()
    {
        foreach (var (k, _) in _node.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "?";
            if (!_known.Contains(name))
            {
                Error(k, $"unknown key {KeyPath(name)}",
                    $"remove it or use one of: {string.Join(", ", _known.Order(StringComparer.Ordinal))}");
            }
        }
    }

    public void Error(YamlNode node, string what, string fix) => _errors.Add(new SourceError(_file, Line(node), what, fix));

    public void Error(string what, string fix) => _errors.Add(new SourceError(_file, Line(_node), what, fix));

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s => $"\"{s.Value}\"",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "an alias",
    };

    private string KeyPath(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    private YamlNode? Find(string key)
    {
        _known.Add(key);
        foreach (var (k, v) in _node.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && name == key)
            {
                return v;
            }
        }

        return null;
    }
}
