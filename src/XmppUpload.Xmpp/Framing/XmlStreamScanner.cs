using System.Buffers;

namespace XmppUpload.Xmpp.Framing;

/// <summary>
/// Finds where the stream header and each top-level stanza of an XMPP stream end, in raw bytes, before any of it is
/// parsed: it tracks element depth over start, end and self-closing tags, quoted attribute values and CDATA sections.
/// Every call gets a buffer that starts where the current unit starts (the caller consumes whole units only); the
/// scanner remembers how far it examined and resumes there, so a stanza that arrives in many reads is scanned once.
/// </summary>
/// <remarks>
/// Markup characters are ASCII and no byte of a multi-byte UTF-8 sequence is below 0x80, so byte scanning is exact
/// even where a character is split between segments; decoding happens once the unit is complete.
/// RFC 6120 section 11.1 forbids comments, processing instructions, DTDs and entity references other than the five
/// predefined ones; the scanner refuses them with <c>restricted-xml</c> before any XML parser sees them. The one
/// processing instruction let through is the XML declaration in front of the stream header.
/// </remarks>
internal sealed class XmlStreamScanner
{
    /// <summary>Deepest element nesting accepted inside a stanza.</summary>
    public const int MaxStanzaDepth = 64;

    private const string CDataOpening = "[CDATA[";
    private const string DeclarationTarget = "xml";

    private static readonly uint EntityLt = Pack("lt");
    private static readonly uint EntityGt = Pack("gt");
    private static readonly uint EntityAmp = Pack("amp");
    private static readonly uint EntityApos = Pack("apos");
    private static readonly uint EntityQuot = Pack("quot");

    private readonly long _maxUnitSize;

    private Mode _mode = Mode.Text;
    private Mode _entityReturnMode;
    private long _offset;
    private long _unitStart = -1;
    private int _depth;
    private bool _headerDone;
    private bool _declarationSeen;
    private bool _streamEnded;
    private bool _closingStream;
    private byte _quote;
    private byte _previous;
    private int _matched;
    private uint _entityName;
    private int _entityLength;
    private bool _characterReference;
    private StreamErrorCondition _error;
    private string? _errorText;
    private bool _failed;

    public XmlStreamScanner(long maxUnitSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxUnitSize, 16);
        _maxUnitSize = maxUnitSize;
    }

    private enum Mode
    {
        Text,
        TagOpen,
        StartTag,
        AttributeValue,
        EndTag,
        Bang,
        BangDash,
        CDataOpen,
        CData,
        DeclarationTarget,
        Declaration,
        Entity,
    }

    private enum Step
    {
        Continue,
        Header,
        Stanza,
        StreamEnd,
        Error,
    }

    /// <summary>Whether the stream header has been found (stanzas follow it).</summary>
    public bool HeaderFound => _headerDone;

    /// <summary>Scans <paramref name="buffer"/>, which starts at the current unit, for the end of that unit.</summary>
    public XmlScanResult Scan(ReadOnlySequence<byte> buffer)
    {
        if (_failed)
        {
            return XmlScanResult.Failure(_error, _errorText!);
        }

        if (buffer.Length < _offset)
        {
            throw new InvalidOperationException("The buffer must start where the current unit starts.");
        }

        foreach (var memory in buffer.Slice(_offset))
        {
            var span = memory.Span;
            var i = 0;
            while (i < span.Length)
            {
                i = SkipPlainBytes(span, i);
                if (i == span.Length)
                {
                    break;
                }

                var position = _offset + i;
                var step = Advance(span[i], position);
                i++;
                if (step == Step.Continue)
                {
                    if (_unitStart >= 0 && position - _unitStart >= _maxUnitSize)
                    {
                        return Fail(StreamErrorCondition.PolicyViolation, $"A stanza is larger than the limit of {_maxUnitSize} bytes.");
                    }

                    continue;
                }

                if (step == Step.Error)
                {
                    return XmlScanResult.Failure(_error, _errorText!);
                }

                var length = position + 1;
                if (length - _unitStart > _maxUnitSize)
                {
                    return Fail(StreamErrorCondition.PolicyViolation, $"A stanza is larger than the limit of {_maxUnitSize} bytes.");
                }

                var start = _unitStart;
                ResetUnit();
                return XmlScanResult.Unit(
                    step switch
                    {
                        Step.Header => XmlUnitKind.StreamHeader,
                        Step.Stanza => XmlUnitKind.Stanza,
                        _ => XmlUnitKind.StreamEnd,
                    },
                    start,
                    length);
            }

            _offset += span.Length;
        }

        if (_unitStart >= 0 && _offset - _unitStart > _maxUnitSize)
        {
            return Fail(StreamErrorCondition.PolicyViolation, $"A stanza is larger than the limit of {_maxUnitSize} bytes.");
        }

        if (_unitStart < 0 && _offset > 0 && _mode == Mode.Text)
        {
            // Only whitespace so far (keepalives): let the caller consume it so the buffer does not grow.
            var whitespace = _offset;
            ResetUnit();
            return XmlScanResult.Unit(XmlUnitKind.Whitespace, whitespace, whitespace);
        }

        return XmlScanResult.NeedMoreData;
    }

    // Skips runs of bytes that cannot change the state: text inside a stanza, attribute values, CDATA content.
    private int SkipPlainBytes(ReadOnlySpan<byte> span, int i)
    {
        int found;
        switch (_mode)
        {
            case Mode.Text when _depth >= 2:
                found = span[i..].IndexOfAny((byte)'<', (byte)'&');
                break;
            case Mode.AttributeValue:
                found = span[i..].IndexOfAny(_quote, (byte)'<', (byte)'&');
                break;
            case Mode.CData when _matched == 0:
                found = span[i..].IndexOf((byte)']');
                break;
            default:
                return i;
        }

        return found < 0 ? span.Length : i + found;
    }

    private Step Advance(byte b, long position)
    {
        switch (_mode)
        {
            case Mode.Text:
                return InText(b, position);

            case Mode.TagOpen:
                return AfterLessThan(b);

            case Mode.StartTag:
                if (b is (byte)'\'' or (byte)'"')
                {
                    _quote = b;
                    _mode = Mode.AttributeValue;
                    return Step.Continue;
                }

                if (b == '<')
                {
                    return Error(StreamErrorCondition.NotWellFormed, "A tag contains '<'.");
                }

                if (b == '>')
                {
                    return EndOfStartTag();
                }

                _previous = b;
                return Step.Continue;

            case Mode.AttributeValue:
                if (b == _quote)
                {
                    _previous = b;
                    _mode = Mode.StartTag;
                    return Step.Continue;
                }

                if (b == '<')
                {
                    return Error(StreamErrorCondition.NotWellFormed, "An attribute value contains '<'.");
                }

                return b == '&' ? BeginEntity(Mode.AttributeValue) : Step.Continue;

            case Mode.EndTag:
                if (b == '<')
                {
                    return Error(StreamErrorCondition.NotWellFormed, "An end tag contains '<'.");
                }

                return b == '>' ? EndOfEndTag() : Step.Continue;

            case Mode.Bang:
                return AfterBang(b);

            case Mode.BangDash:
                return b == '-'
                    ? Error(StreamErrorCondition.RestrictedXml, "XML comments are not allowed in XMPP (RFC 6120 section 11.1).")
                    : Error(StreamErrorCondition.NotWellFormed, "'<!-' does not open a comment.");

            case Mode.CDataOpen:
                if (b != CDataOpening[_matched])
                {
                    return Error(StreamErrorCondition.NotWellFormed, "'<![' does not open a CDATA section.");
                }

                if (++_matched == CDataOpening.Length)
                {
                    _mode = Mode.CData;
                    _matched = 0;
                }

                return Step.Continue;

            case Mode.CData:
                // Looks for "]]>"; extra ']' before the '>' belong to the content.
                if (b == ']')
                {
                    _matched = Math.Min(_matched + 1, 2);
                }
                else if (b == '>' && _matched == 2)
                {
                    _mode = Mode.Text;
                    _matched = 0;
                }
                else
                {
                    _matched = 0;
                }

                return Step.Continue;

            case Mode.DeclarationTarget:
                if (_matched < DeclarationTarget.Length && b == DeclarationTarget[_matched])
                {
                    _matched++;
                    return Step.Continue;
                }

                if (_matched == DeclarationTarget.Length && IsWhitespace(b))
                {
                    _mode = Mode.Declaration;
                    _matched = 0;
                    return Step.Continue;
                }

                return Error(StreamErrorCondition.RestrictedXml, "Processing instructions are not allowed in XMPP (RFC 6120 section 11.1).");

            case Mode.Declaration:
                if (b == '?')
                {
                    _matched = 1;
                }
                else if (b == '>' && _matched == 1)
                {
                    _mode = Mode.Text;
                    _matched = 0;
                }
                else
                {
                    _matched = 0;
                }

                return Step.Continue;

            case Mode.Entity:
                return InEntity(b);

            default:
                throw new InvalidOperationException($"Unknown scanner mode {_mode}.");
        }
    }

    private Step InText(byte b, long position)
    {
        if (b == '<')
        {
            if (_streamEnded)
            {
                return Error(StreamErrorCondition.NotWellFormed, "Data follows the end of the stream.");
            }

            if (_unitStart < 0)
            {
                _unitStart = position;
            }

            _mode = Mode.TagOpen;
            return Step.Continue;
        }

        if (_depth >= 2)
        {
            return b == '&' ? BeginEntity(Mode.Text) : Step.Continue;
        }

        if (IsWhitespace(b))
        {
            return Step.Continue;
        }

        return _headerDone
            ? Error(StreamErrorCondition.BadFormat, "Character data appears between stanzas.")
            : Error(StreamErrorCondition.NotWellFormed, "Character data appears before the stream header.");
    }

    private Step AfterLessThan(byte b)
    {
        switch (b)
        {
            case (byte)'/':
                if (_depth == 0)
                {
                    return Error(StreamErrorCondition.NotWellFormed, "An end tag appears outside the stream.");
                }

                _closingStream = _depth == 1;
                _mode = Mode.EndTag;
                return Step.Continue;

            case (byte)'!':
                _mode = Mode.Bang;
                return Step.Continue;

            case (byte)'?':
                // Only the XML declaration, first in the stream, may stand in front of the header (RFC 6120 section 11.5).
                if (!_headerDone && !_declarationSeen)
                {
                    _declarationSeen = true;
                    _mode = Mode.DeclarationTarget;
                    _matched = 0;
                    return Step.Continue;
                }

                return Error(StreamErrorCondition.RestrictedXml, "Processing instructions are not allowed in XMPP (RFC 6120 section 11.1).");

            case (byte)'<' or (byte)'>' or (byte)'=' or (byte)'\'' or (byte)'"':
                return Error(StreamErrorCondition.NotWellFormed, "'<' is not followed by a tag name.");

            default:
                if (IsWhitespace(b))
                {
                    return Error(StreamErrorCondition.NotWellFormed, "'<' is not followed by a tag name.");
                }

                _previous = b;
                _mode = Mode.StartTag;
                return Step.Continue;
        }
    }

    private Step AfterBang(byte b)
    {
        if (b == '-')
        {
            _mode = Mode.BangDash;
            return Step.Continue;
        }

        if (b == '[')
        {
            if (_depth < 2)
            {
                return Error(StreamErrorCondition.BadFormat, "A CDATA section appears outside a stanza.");
            }

            _mode = Mode.CDataOpen;
            _matched = 1;
            return Step.Continue;
        }

        return b is >= (byte)'A' and <= (byte)'Z'
            ? Error(StreamErrorCondition.RestrictedXml, "DTDs and markup declarations are not allowed in XMPP (RFC 6120 section 11.1).")
            : Error(StreamErrorCondition.NotWellFormed, "'<!' does not open a comment or a CDATA section.");
    }

    private Step EndOfStartTag()
    {
        var selfClosing = _previous == '/';
        _mode = Mode.Text;
        if (!_headerDone)
        {
            if (selfClosing)
            {
                return Error(StreamErrorCondition.BadFormat, "The stream header closes itself.");
            }

            _headerDone = true;
            _depth = 1;
            return Step.Header;
        }

        if (selfClosing)
        {
            return _depth == 1 ? Step.Stanza : Step.Continue;
        }

        if (++_depth - 1 > MaxStanzaDepth)
        {
            return Error(StreamErrorCondition.PolicyViolation, $"A stanza nests elements deeper than {MaxStanzaDepth} levels.");
        }

        return Step.Continue;
    }

    private Step EndOfEndTag()
    {
        _mode = Mode.Text;
        if (_closingStream)
        {
            _closingStream = false;
            _depth = 0;
            _streamEnded = true;
            return Step.StreamEnd;
        }

        return --_depth == 1 ? Step.Stanza : Step.Continue;
    }

    private Step BeginEntity(Mode returnMode)
    {
        _entityReturnMode = returnMode;
        _entityName = 0;
        _entityLength = 0;
        _characterReference = false;
        _mode = Mode.Entity;
        return Step.Continue;
    }

    private Step InEntity(byte b)
    {
        if (b == ';')
        {
            _mode = _entityReturnMode;
            if (_characterReference)
            {
                return _entityLength >= 2 ? Step.Continue : Error(StreamErrorCondition.NotWellFormed, "A character reference is empty.");
            }

            if (_entityLength == 0)
            {
                return Error(StreamErrorCondition.NotWellFormed, "An entity reference is empty.");
            }

            return _entityName == EntityLt || _entityName == EntityGt || _entityName == EntityAmp || _entityName == EntityApos || _entityName == EntityQuot
                ? Step.Continue
                : Error(StreamErrorCondition.RestrictedXml, "Only the predefined entities may be referenced in XMPP (RFC 6120 section 11.1).");
        }

        if (_entityLength == 0 && b == '#')
        {
            _characterReference = true;
            _entityLength = 1;
            return Step.Continue;
        }

        if (!IsNameByte(b))
        {
            return Error(StreamErrorCondition.NotWellFormed, "'&' does not start an entity or character reference.");
        }

        _entityLength++;
        if (_characterReference)
        {
            return _entityLength > 10 ? Error(StreamErrorCondition.NotWellFormed, "A character reference is too long.") : Step.Continue;
        }

        // The predefined names have at most four letters; anything longer names an entity XMPP does not allow.
        if (_entityLength > 4)
        {
            return Error(StreamErrorCondition.RestrictedXml, "Only the predefined entities may be referenced in XMPP (RFC 6120 section 11.1).");
        }

        _entityName = (_entityName << 8) | b;
        return Step.Continue;
    }

    private XmlScanResult Fail(StreamErrorCondition condition, string text)
    {
        Error(condition, text);
        return XmlScanResult.Failure(condition, text);
    }

    private Step Error(StreamErrorCondition condition, string text)
    {
        _failed = true;
        _error = condition;
        _errorText = text;
        return Step.Error;
    }

    private void ResetUnit()
    {
        _offset = 0;
        _unitStart = -1;
        _mode = Mode.Text;
        _matched = 0;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static bool IsNameByte(byte b) =>
        b >= 0x80 || char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'.' or (byte)'_' or (byte)':';

    private static uint Pack(string name)
    {
        uint value = 0;
        foreach (var c in name)
        {
            value = (value << 8) | c;
        }

        return value;
    }
}
