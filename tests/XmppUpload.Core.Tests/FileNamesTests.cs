using System.Text;
using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Tests;

public sealed class FileNamesTests
{
    [Theory]
    [InlineData("très cool.jpg")]
    [InlineData("Приложение.PDF")]
    [InlineData("写真 2026-01-01.heic")]
    [InlineData("a.tar.gz")]
    [InlineData("emoji 😀.png")]
    public void Normalize_KeepsNonAsciiAndExtension(string name)
    {
        Assert.Equal(name, FileNames.Normalize(name).Name);
    }

    [Theory]
    [InlineData("../../etc/passwd", "_._.._etc_passwd")]
    [InlineData("..\\windows\\system.ini", "_._windows_system.ini")]
    [InlineData("a/b.txt", "a_b.txt")]
    [InlineData("line\nbreak.txt", "line_break.txt")]
    [InlineData("tab\there.txt", "tab_here.txt")]
    [InlineData("nul\0byte.txt", "nul_byte.txt")]
    [InlineData("quote\".txt", "quote_.txt")]
    [InlineData(".hidden", "_hidden")]
    [InlineData("rtl\u202Egnp.exe", "rtl_gnp.exe")]
    public void Normalize_ReplacesSeparatorsAndControls(string raw, string expected)
    {
        var name = FileNames.Normalize(raw).Name;

        Assert.NotNull(name);
        Assert.DoesNotContain('/', name);
        Assert.DoesNotContain(name, c => char.IsControl(c));
        Assert.Equal(expected, name);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("///")]
    public void Normalize_NameWithNothingUsable_IsRefused(string raw)
    {
        Assert.False(FileNames.Normalize(raw).IsAccepted);
    }

    [Fact]
    public void Normalize_At255Utf8Bytes_IsAccepted()
    {
        var name = new string('é', 125) + ".txt"; // 250 + 4 = 254 bytes
        name += "x";

        Assert.Equal(255, Encoding.UTF8.GetByteCount(name));
        Assert.True(FileNames.Normalize(name).IsAccepted);
    }

    [Fact]
    public void Normalize_Over255Utf8Bytes_IsRefusedWithReason()
    {
        var name = new string('é', 126) + ".txt"; // 256 bytes

        var result = FileNames.Normalize(name);

        Assert.False(result.IsAccepted);
        Assert.Contains("255", result.Error, StringComparison.Ordinal);
    }
}
