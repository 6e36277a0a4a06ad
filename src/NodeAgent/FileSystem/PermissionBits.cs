using System.Diagnostics.CodeAnalysis;

namespace NodeAgent.FileSystem;

/// <summary>
/// The 12 permission bits of a Unix mode (setuid, setgid, sticky, then rwx for owner, group and others): the one
/// encoding every mode is parsed, compared, stored and printed in. C# has no octal literals, so the named values
/// are written in binary, three bits a digit; text is always octal, "0600".
/// </summary>
public readonly record struct PermissionBits
{
    /// <summary>0600: a file only its owner may read and write (every file holding a secret).</summary>
    public static readonly PermissionBits OwnerReadWrite = new(0b000_110_000_000);

    /// <summary>0644: a file anyone may read (the storage config, the last report).</summary>
    public static readonly PermissionBits OwnerWriteAllRead = new(0b000_110_100_100);

    /// <summary>0640: a file its group may read too (the agent's log files, for the adm group).</summary>
    public static readonly PermissionBits GroupReadableFile = new(0b000_110_100_000);

    /// <summary>0750: a directory its group may enter too (the agent's log directory).</summary>
    public static readonly PermissionBits GroupReadableDirectory = new(0b000_111_101_000);

    /// <summary>0700: a directory only its owner may enter (~/.aws, the backup directory).</summary>
    public static readonly PermissionBits OwnerOnlyDirectory = new(0b000_111_000_000);

    /// <summary>0755: a directory NodeAgent creates on the way to a target.</summary>
    public static readonly PermissionBits SharedDirectory = new(0b000_111_101_101);

    /// <summary>0077: every bit that gives the group or others any access.</summary>
    public static readonly PermissionBits GroupOrOtherAccess = new(0b000_000_111_111);

    /// <summary>0022: the bits that let the group or others write.</summary>
    public static readonly PermissionBits GroupOrOtherWrite = new(0b000_000_010_010);

    /// <summary>0020: the bit that lets the group write.</summary>
    public static readonly PermissionBits GroupWrite = new(0b000_000_010_000);

    /// <summary>01000: the sticky bit (only a file's owner may rename or delete it in such a directory).</summary>
    public static readonly PermissionBits Sticky = new(0b001_000_000_000);

    /// <summary>07000: setuid, setgid and sticky.</summary>
    public static readonly PermissionBits SpecialBits = new(0b111_000_000_000);

    private const int AllBits = 0b111_111_111_111; // 07777

    private readonly int _bits;

    private PermissionBits(int bits) => _bits = bits;

    /// <summary>The raw bits, as libc's mode_t arguments take them.</summary>
    public uint Native => (uint)_bits;

    /// <summary>The bits of <paramref name="bits"/>; beyond 07777 is a programming error, not a mode.</summary>
    public static PermissionBits FromBits(int bits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bits);
        if ((bits & ~AllBits) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, $"{Convert.ToString(bits, 8)} has bits beyond 07777");
        }

        return new PermissionBits(bits);
    }

    /// <summary>The permission bits of a whole st_mode (file type bits dropped).</summary>
    public static PermissionBits FromStatMode(int stMode) => new(stMode & AllBits);

    public static PermissionBits FromUnixFileMode(UnixFileMode mode) => FromBits((int)mode);

    /// <summary>
    /// Three or four octal digits, as operators write modes in configuration: "600", "0600", "1777".
    /// Throws <see cref="FormatException"/> saying what is wrong and what to write instead.
    /// </summary>
    public static PermissionBits Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var bits)
            ? bits
            : throw new FormatException($"\"{text}\" is not a file mode: write 3 or 4 octal digits (0-7), like \"0600\"");
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out PermissionBits bits)
    {
        bits = default;
        if (text is not { Length: >= 3 and <= 4 } || !text.All(c => c is >= '0' and <= '7'))
        {
            return false;
        }

        bits = new PermissionBits(text.Aggregate(0, (value, digit) => (value * 8) + (digit - '0')));
        return true;
    }

    public UnixFileMode ToUnixFileMode() => (UnixFileMode)_bits;

    /// <summary>Whether any of the bits of <paramref name="mask"/> is set.</summary>
    public bool HasAny(PermissionBits mask) => (_bits & mask._bits) != 0;

    /// <summary>Whether every bit of <paramref name="mask"/> is set.</summary>
    public bool HasAll(PermissionBits mask) => (_bits & mask._bits) == mask._bits;

    /// <summary>Four octal digits, "0600": the form of the report, the plan, the diff and every message.</summary>
    public override string ToString() => Convert.ToString(_bits, 8).PadLeft(4, '0');
}
