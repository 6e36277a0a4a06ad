using NodeAgent.FileSystem;

namespace NodeAgent.Tests.FileSystem;

public sealed class PermissionBitsTests
{
    [Theory]
    [InlineData("600", UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData("0600", UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData("0644", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead)]
    [InlineData("1777", UnixFileMode.StickyBit | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)]
    [InlineData("4755", UnixFileMode.SetUser | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute)]
    public void Parse_reads_octal_text_with_or_without_the_leading_zero(string text, UnixFileMode expected)
    {
        Assert.Equal(expected, PermissionBits.Parse(text).ToUnixFileMode());
    }

    [Theory]
    [InlineData("")]
    [InlineData("60")]
    [InlineData("06000")]
    [InlineData("0680")]
    [InlineData("rw-")]
    [InlineData(" 600")]
    [InlineData("-600")]
    [InlineData("0x180")]
    public void Parse_rejects_what_is_not_three_or_four_octal_digits_and_says_what_to_write(string text)
    {
        var error = Assert.Throws<FormatException>(() => PermissionBits.Parse(text));

        Assert.Contains($"\"{text}\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("octal digits", error.Message, StringComparison.Ordinal);
        Assert.False(PermissionBits.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_of_null_is_false()
    {
        Assert.False(PermissionBits.TryParse(null, out var bits));
        Assert.Equal(default, bits);
    }

    [Theory]
    [InlineData("0000")]
    [InlineData("0400")]
    [InlineData("0600")]
    [InlineData("0755")]
    [InlineData("1777")]
    [InlineData("7777")]
    public void Four_digit_text_round_trips_through_parse_and_to_string(string text)
    {
        Assert.Equal(text, PermissionBits.Parse(text).ToString());
    }

    [Fact]
    public void Three_digit_text_prints_with_its_leading_zero()
    {
        Assert.Equal("0640", PermissionBits.Parse("640").ToString());
    }

    [Fact]
    public void Every_one_of_the_12_bits_round_trips_through_unix_file_mode_and_the_native_value()
    {
        for (var bit = 0; bit < 12; bit++)
        {
            var mode = (UnixFileMode)(1 << bit);
            var bits = PermissionBits.FromUnixFileMode(mode);

            Assert.Equal(mode, bits.ToUnixFileMode());
            Assert.Equal((uint)mode, bits.Native);
            Assert.Equal(bits, PermissionBits.FromBits((int)bits.Native));
            Assert.Equal(bits, PermissionBits.Parse(bits.ToString()));
        }
    }

    [Fact]
    public void A_stat_mode_keeps_only_the_permission_bits()
    {
        const int RegularFileType = 0b1_000_000_000_000_000; // S_IFREG, 0100000
        var stat = RegularFileType | (int)PermissionBits.OwnerReadWrite.Native;

        Assert.Equal(PermissionBits.OwnerReadWrite, PermissionBits.FromStatMode(stat));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0b1_000_000_000_000)]
    public void FromBits_refuses_what_is_not_a_permission(int bits)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PermissionBits.FromBits(bits));
    }

    [Fact]
    public void The_named_values_are_the_modes_their_names_say()
    {
        Assert.Equal(PermissionBits.Parse("0600"), PermissionBits.OwnerReadWrite);
        Assert.Equal(PermissionBits.Parse("0644"), PermissionBits.OwnerWriteAllRead);
        Assert.Equal(PermissionBits.Parse("0640"), PermissionBits.GroupReadableFile);
        Assert.Equal(PermissionBits.Parse("0750"), PermissionBits.GroupReadableDirectory);
        Assert.Equal(PermissionBits.Parse("0700"), PermissionBits.OwnerOnlyDirectory);
        Assert.Equal(PermissionBits.Parse("0755"), PermissionBits.SharedDirectory);
        Assert.Equal(PermissionBits.Parse("0077"), PermissionBits.GroupOrOtherAccess);
        Assert.Equal(PermissionBits.Parse("0022"), PermissionBits.GroupOrOtherWrite);
        Assert.Equal(PermissionBits.Parse("0020"), PermissionBits.GroupWrite);
        Assert.Equal(PermissionBits.Parse("1000"), PermissionBits.Sticky);
        Assert.Equal(PermissionBits.Parse("7000"), PermissionBits.SpecialBits);
    }

    [Fact]
    public void HasAny_and_HasAll_compare_against_a_mask()
    {
        var groupWritable = PermissionBits.Parse("0664");

        Assert.True(groupWritable.HasAny(PermissionBits.GroupOrOtherWrite));
        Assert.False(groupWritable.HasAll(PermissionBits.GroupOrOtherWrite));
        Assert.True(PermissionBits.Parse("0666").HasAll(PermissionBits.GroupOrOtherWrite));
        Assert.False(PermissionBits.OwnerReadWrite.HasAny(PermissionBits.GroupOrOtherAccess));
    }
}
