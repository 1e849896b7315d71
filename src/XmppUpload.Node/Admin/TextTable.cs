using System.Text;

namespace XmppUpload.Node.Admin;

/// <summary>A plain-text table: a header row and columns padded to their widest cell, numbers right-aligned.</summary>
internal sealed class TextTable
{
    private const string Gap = "  ";

    private readonly string[] _headers;
    private readonly bool[] _rightAligned;
    private readonly List<string[]> _rows = [];

    /// <param name="columns">Header texts; a header ending in <c>&gt;</c> marks a right-aligned column (the mark is not shown).</param>
    public TextTable(params string[] columns)
    {
        _rightAligned = [.. columns.Select(c => c.EndsWith('>'))];
        _headers = [.. columns.Select(c => c.TrimEnd('>'))];
    }

    public void Add(params string[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"A row of this table has {_headers.Length} cells, not {cells.Length}.", nameof(cells));
        }

        _rows.Add(cells);
    }

    public void WriteTo(TextWriter writer)
    {
        var widths = new int[_headers.Length];
        foreach (var row in _rows.Prepend(_headers))
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in _rows.Prepend(_headers))
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0)
                {
                    line.Append(Gap);
                }

                line.Append(_rightAligned[i] ? row[i].PadLeft(widths[i]) : row[i].PadRight(widths[i]));
            }

            writer.WriteLine(line.ToString().TrimEnd());
        }
    }
}
