namespace NodeAgent.Reporting;

/// <summary>How text output may look where it goes: its width, and whether ANSI colour is welcome.</summary>
public sealed record TerminalStyle(int Width, bool Colour)
{
    /// <summary>What a pipe, a file, an SSH session without a terminal or an unknown width gets.</summary>
    public const int DefaultWidth = 120;

    public static readonly TerminalStyle Plain = new(DefaultWidth, Colour: false);

    /// <summary>
    /// Colour only on a terminal, and never when NO_COLOR is set to anything non-empty (no-color.org) or TERM is
    /// "dumb"; the width is the terminal's when known, otherwise <see cref="DefaultWidth"/>.
    /// </summary>
    public static TerminalStyle Decide(bool isTerminal, int? terminalWidth, string? noColor, string? term) => new(
        isTerminal && terminalWidth is > 0 ? terminalWidth.Value : DefaultWidth,
        isTerminal && string.IsNullOrEmpty(noColor) && term != "dumb");

    /// <summary>The process's own standard output.</summary>
    public static TerminalStyle ForConsole()
    {
        var isTerminal = !Console.IsOutputRedirected;
        int? width = null;
        if (isTerminal)
        {
            try
            {
                width = Console.WindowWidth;
            }
            catch (IOException)
            {
                // No size to ask for (e.g. `ssh host cmd` without -t has no terminal): the default width stands.
            }
        }

        return Decide(isTerminal, width, Environment.GetEnvironmentVariable("NO_COLOR"), Environment.GetEnvironmentVariable("TERM"));
    }
}
