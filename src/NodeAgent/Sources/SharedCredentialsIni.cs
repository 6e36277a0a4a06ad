namespace NodeAgent.Sources;

/// <summary>
/// Reads the AWS shared-credentials format (~/.aws/credentials, and the expanso-s3-credentials source):
/// [section] headers, "key = value" lines, # and ; comments, CRLF, a UTF-8 BOM. Anything ambiguous (a key or
/// section given twice) or unreadable is an error rather than a guess. Messages never echo a value, because
/// a line that fails to parse may be a pasted secret.
/// </summary>
public static class SharedCredentialsIni
{
    public static IniDocument Parse(string path, byte[] bytes)
    {
        var errors = new List<SourceError>();
        if (!SourceText.IsText(path, bytes, errors))
        {
            return new IniDocument(path, [], errors);
        }

        return Parse(path, SourceText.Decode(bytes), errors);
    }

    /// <summary>Key names are only echoed when they look like key names, so a pasted secret is never repeated.</summary>
    internal static string SafeKey(string key) =>
        key.Length <= 64 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? key : "(on this line)";

    private static IniDocument Parse(string path, string text, List<SourceError> errors)
    {
        var sections = new List<IniSection>();
        var sectionLines = new Dictionary<string, int>(StringComparer.Ordinal);
        string? currentName = null;
        var currentLine = 0;
        List<IniEntry>? entries = null;
        Dictionary<string, int>? keyLines = null;
        var sawContent = false;
        var sawHeader = false;

        void CloseSection()
        {
            if (currentName is not null && entries is not null)
            {
                sections.Add(new IniSection(currentName, currentLine, entries));
            }
        }

        foreach (var (number, raw) in SourceText.Lines(text))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            sawContent = true;
            if (line[0] == '[')
            {
                sawHeader = true;
                CloseSection();
                currentName = null;
                entries = null;
                var name = SectionName(path, number, line, errors);
                if (name is null)
                {
                    continue;
                }

                if (sectionLines.TryGetValue(name, out var firstLine))
                {
                    errors.Add(new SourceError(path, number,
                        $"profile [{name}] appears a second time (first on line {firstLine}); which one is meant is ambiguous",
                        $"keep a single [{name}] section (\"[profile {name}]\" and \"[{name}]\" name the same profile)"));
                    continue;
                }

                sectionLines[name] = number;
                currentName = name;
                currentLine = number;
                entries = [];
                keyLines = new Dictionary<string, int>(StringComparer.Ordinal);
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                errors.Add(new SourceError(path, number,
                    "this line is neither a [profile] header nor \"key = value\"",
                    "write it as key = value under a [profile] header, or start it with # to make it a comment"));
                continue;
            }

            var key = line[..equals].Trim().ToLowerInvariant();
            var value = StripInlineComment(line[(equals + 1)..]).Trim();
            if (key.Length == 0)
            {
                errors.Add(new SourceError(path, number,
                    "this line has a value but no key before the =",
                    "write it as key = value, for example aws_access_key_id = AKIA…"));
                continue;
            }

            if (currentName is null || entries is null || keyLines is null)
            {
                // Either no header yet, or the header was itself an error: the key belongs to no usable profile.
                if (!sawHeader)
                {
                    errors.Add(new SourceError(path, number,
                        $"key {SafeKey(key)} comes before any [profile] header",
                        "put a header such as [default] above the keys"));
                }

                continue;
            }

            if (keyLines.TryGetValue(key, out var firstKeyLine))
            {
                errors.Add(new SourceError(path, number,
                    $"key {SafeKey(key)} appears a second time in [{currentName}] (first on line {firstKeyLine}); which value is meant is ambiguous",
                    "keep one line for the key and delete the other"));
                continue;
            }

            keyLines[key] = number;
            entries.Add(new IniEntry(key, value, number));
        }

        CloseSection();
        return new IniDocument(path, sections, errors) { IsEmpty = !sawContent };
    }

    private static string? SectionName(string path, int number, string line, List<SourceError> errors)
    {
        var close = line.IndexOf(']', StringComparison.Ordinal);
        if (close < 0)
        {
            errors.Add(new SourceError(path, number,
                "the [profile] header is not closed with ]",
                "write the header as [default] (or [NAME]) on a line of its own"));
            return null;
        }

        var rest = StripInlineComment(line[(close + 1)..]).Trim();
        if (rest.Length > 0)
        {
            errors.Add(new SourceError(path, number,
                "text follows the ] of the [profile] header",
                "put the header alone on its line and each key = value on its own line below it"));
            return null;
        }

        var name = line[1..close].Trim();
        var parts = name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 2 && parts[0] == "profile")
        {
            name = parts[1];
        }
        else if (parts.Length != 1)
        {
            name = string.Empty;
        }

        if (name.Length == 0)
        {
            errors.Add(new SourceError(path, number,
                "the [profile] header names no single profile",
                "name the profile, as in [default] or [profile NAME]"));
            return null;
        }

        return name;
    }

    /// <summary>"value # note" and "value ; note" drop the note, as the AWS CLI does; a # inside a word stays.</summary>
    private static string StripInlineComment(string value)
    {
        for (var i = 1; i < value.Length; i++)
        {
            if (value[i] is '#' or ';' && char.IsWhiteSpace(value[i - 1]))
            {
                return value[..i];
            }
        }

        return value;
    }
}

/// <summary>One key = value line; <see cref="Key"/> is lower-cased because the AWS tools read keys case-insensitively.</summary>
public sealed record IniEntry(string Key, string Value, int Line);

/// <summary>One [section]; <see cref="Name"/> is the profile name ("[profile x]" is read as "x").</summary>
public sealed record IniSection(string Name, int Line, IReadOnlyList<IniEntry> Entries)
{
    public IniEntry? Find(string key) =>
        Entries.FirstOrDefault(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A parsed shared-credentials/config file. Sections are in file order; errors name file and line.</summary>
public sealed record IniDocument(string Path, IReadOnlyList<IniSection> Sections, IReadOnlyList<SourceError> Errors)
{
    public bool IsValid => Errors.Count == 0;

    /// <summary>True when the text held nothing but blank lines and comments.</summary>
    public bool IsEmpty { get; init; }

    public IniSection? FindProfile(string profile) =>
        Sections.FirstOrDefault(s => string.Equals(s.Name, profile, StringComparison.Ordinal));
}
