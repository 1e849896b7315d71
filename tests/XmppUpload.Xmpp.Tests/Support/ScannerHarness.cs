using System.Text;
using XmppUpload.Xmpp.Framing;

namespace XmppUpload.Xmpp.Tests.Support;

/// <summary>
/// Drives <see cref="XmlStreamScanner"/> the way the session does with a pipe: bytes arrive in chunks, each scan gets
/// the unconsumed bytes (as several segments), and whole units are consumed.
/// </summary>
internal sealed class ScannerHarness
{
    private readonly XmlStreamScanner _scanner;
    private readonly List<ReadOnlyMemory<byte>> _unconsumed = [];

    public ScannerHarness(long maxUnitSize = 256 * 1024)
    {
        _scanner = new XmlStreamScanner(maxUnitSize);
    }

    public List<(XmlUnitKind Kind, string Text)> Units { get; } = [];

    public int WhitespaceBytes { get; private set; }

    public XmlScanResult? Failure { get; private set; }

    public long Unconsumed => _unconsumed.Sum(m => (long)m.Length);

    public ScannerHarness Feed(params byte[][] chunks)
    {
        foreach (var chunk in chunks)
        {
            _unconsumed.Add(chunk);
        }

        while (Failure is null)
        {
            var buffer = Segments.Create(_unconsumed);
            var result = _scanner.Scan(buffer);
            switch (result.Kind)
            {
                case XmlUnitKind.NeedMoreData:
                    return this;
                case XmlUnitKind.Error:
                    Failure = result;
                    return this;
                case XmlUnitKind.Whitespace:
                    WhitespaceBytes += (int)result.Length;
                    break;
                default:
                    Units.Add((result.Kind, Encoding.UTF8.GetString(buffer.Slice(result.Start, result.Length - result.Start))));
                    break;
            }

            Consume(result.Length);
        }

        return this;
    }

    public ScannerHarness Feed(string text) => Feed(Encoding.UTF8.GetBytes(text));

    private void Consume(long count)
    {
        while (count > 0)
        {
            var first = _unconsumed[0];
            if (first.Length <= count)
            {
                count -= first.Length;
                _unconsumed.RemoveAt(0);
            }
            else
            {
                _unconsumed[0] = first[(int)count..];
                count = 0;
            }
        }
    }
}
