using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace XmppUpload.Http.Upload;

/// <summary>One byte range of a representation, resolved against its length.</summary>
internal readonly record struct ByteRange(long Offset, long Length)
{
    public long Last => Offset + Length - 1;

    /// <summary>
    /// Resolves a Range header value. Only a single <c>bytes</c> range is served as 206; several ranges are answered
    /// with the whole representation (RFC 9110 section 14.2 lets a server ignore Range), and so is a header that does
    /// not parse or uses another unit. <c>bytes=0-</c> is an ordinary range, answered 206 like any other.
    /// </summary>
    public static RangeOutcome Resolve(StringValues header, long length, out ByteRange range)
    {
        range = default;
        if (header.Count != 1 || !RangeHeaderValue.TryParse(header[0], out var parsed)
            || !StringSegment.Equals(parsed.Unit, "bytes", StringComparison.OrdinalIgnoreCase)
            || parsed.Ranges.Count != 1)
        {
            return RangeOutcome.Full;
        }

        // Section 14.1.1: on an empty representation only a suffix range could be satisfiable, and it selects
        // nothing; serving the empty file with 200 helps every client more than a 416 would.
        if (length == 0)
        {
            return RangeOutcome.Full;
        }

        var item = parsed.Ranges.First();
        if (item.From is { } from)
        {
            // first-pos is past the end: no byte of the range exists.
            if (from >= length)
            {
                return RangeOutcome.Unsatisfiable;
            }

            var last = item.To is { } to ? Math.Min(to, length - 1) : length - 1;
            if (last < from)
            {
                return RangeOutcome.Full;
            }

            range = new ByteRange(from, last - from + 1);
            return RangeOutcome.Partial;
        }

        if (item.To is { } suffix)
        {
            if (suffix == 0)
            {
                return RangeOutcome.Unsatisfiable;
            }

            var count = Math.Min(suffix, length);
            range = new ByteRange(length - count, count);
            return RangeOutcome.Partial;
        }

        return RangeOutcome.Full;
    }
}
