using System.Text;

namespace NodeAgent.Sources;

/// <summary>
/// Reads .env files as operators write them: CRLF, a UTF-8 BOM, # comments, blank lines, spaces around =,
/// an "export " prefix, 'single quotes' (literal), "double quotes" (with \" \\ \n \r \t \$ escapes), and a
/// trailing " # comment" after an unquoted value. A variable given twice is an error: which one wins differs
/// between docker compose, systemd and shells. Messages never echo a value.
/// </summary>
public static class DotEnvParser
{
    /// <summary>POSIX shell / docker env-file variable names.</summary>
    public static bool IsValidName(string name) =>
        name.Length > 0
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    public static DotEnvDocument Parse(string path, byte[] bytes)
    {
        var errors = new List<SourceError>();
        if (!SourceText.IsText(path, bytes, errors))
        {
            return new DotEnvDocument(path, [], errors);
        }

        var variables = new List<DotEnvVariable>();
        var firstLines = new Dictionary<string, int>(StringComparer.Ordinal);
        var sawContent = false;
        foreach (var (number, raw) in SourceText.Lines(SourceText.Decode(bytes)))
        {
            var line = raw.TrimStart();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            sawContent = true;
            if (line.StartsWith("export", StringComparison.Ordinal) && line.Length > 6 && char.IsWhiteSpace(line[6]))
            {
                line = line[7..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                errors.Add(new SourceError(path, number,
                    "this line is not a NAME=value assignment",
                    "write it as NAME=value, or start it with # to make it a comment"));
                continue;
            }

            var name = line[..equals].Trim();
            if (!IsValidName(name))
            {
                errors.Add(new SourceError(path, number,
                    $"variable name {SafeName(name)} is not valid",
                    "use letters, digits and _ only, not starting with a digit (for example AWS_ACCESS_KEY_ID)"));
                continue;
            }

            var value = ParseValue(path, number, name, line[(equals + 1)..], errors);
            if (value is null)
            {
                continue;
            }

            if (firstLines.TryGetValue(name, out var firstLine))
            {
                errors.Add(new SourceError(path, number,
                    $"{name} is set a second time (first on line {firstLine}); which value is meant is ambiguous",
                    $"keep one {name}= line and delete the other"));
                continue;
            }

            firstLines[name] = number;
            variables.Add(new DotEnvVariable(name, value, number));
        }

        return new DotEnvDocument(path, variables, errors) { IsEmpty = !sawContent };
    }

    private static string? ParseValue(string path, int number, string name, string rest, List<SourceError> errors)
    {
        var text = rest.TrimStart();
        if (text.Length > 0 && text[0] is '"' or '\'')
        {
            var quote = text[0];
            var value = new StringBuilder();
            var i = 1;
            var closed = false;
            for (; i < text.Length; i++)
            {
                var c = text[i];
                if (c == quote)
                {
                    closed = true;
                    i++;
                    break;
                }

                if (quote == '"' && c == '\\' && i + 1 < text.Length)
                {
                    i++;
                    value.Append(text[i] switch
                    {
                        'n' => "\n",
                        'r' => "\r",
                        't' => "\t",
                        '"' => "\"",
                        '\\' => "\\",
                        '$' => "$",
                        var other => "\\" + other,
                    });
                    continue;
                }

                value.Append(c);
            }

            if (!closed)
            {
                errors.Add(new SourceError(path, number,
                    $"the {(quote == '"' ? "double" : "single")}-quoted value of {name} is not closed on this line",
                    "close the quote on the same line; values spanning several lines are not supported (docker.env cannot hold them)"));
                return null;
            }

            var after = text[i..].Trim();
            if (after.Length > 0 && after[0] != '#')
            {
                errors.Add(new SourceError(path, number,
                    $"text follows the closing quote of {name}",
                    "put the whole value inside the quotes; only a # comment may follow them"));
                return null;
            }

            return value.ToString();
        }

        // Unquoted: a # preceded by whitespace starts a comment (as in docker compose); one inside a word stays.
        for (var i = 0; i < rest.Length; i++)
        {
            if (rest[i] == '#' && i > 0 && char.IsWhiteSpace(rest[i - 1]))
            {
                return rest[..i].Trim();
            }
        }

        return rest.Trim();
    }

    private static string SafeName(string name) =>
        name.Length is > 0 and <= 32 && name.All(c => c is >= ' ' and <= '~' && c is not '/' and not '+')
            ? $"\"{name}\""
            : "on this line";
}

/// <summary>One NAME=value assignment, value already unquoted and unescaped.</summary>
public sealed record DotEnvVariable(string Name, string Value, int Line);

/// <summary>A parsed .env file: variables in file order, and every problem found, each naming its line.</summary>
public sealed record DotEnvDocument(string Path, IReadOnlyList<DotEnvVariable> Variables, IReadOnlyList<SourceError> Errors)
{
    public bool IsValid => Errors.Count == 0;

    /// <summary>True when the text held nothing but blank lines and comments.</summary>
    public bool IsEmpty { get; init; }

    public DotEnvVariable? Find(string name) =>
        Variables.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.Ordinal));
}
