using Microsoft.AspNetCore.Http;
using XmppUpload.Http.Diagnostics;

namespace XmppUpload.Http;

/// <summary>Sends a blob's bytes as a response body, for XEP-0363 GETs and WebDAV GETs alike.</summary>
internal static class BlobResponses
{
    /// <summary>The most read from the blob at a time: large reads keep a large file's copy loop short.</summary>
    internal const int ReadSize = 256 * 1024;

    /// <summary>
    /// Reads <paramref name="length"/> bytes of <paramref name="content"/> straight into the response's pipe (Kestrel's
    /// own buffers), so each byte is copied once on its way to the socket, flushing after every read so that at most
    /// one read per response waits in memory. When the blob ends early it aborts the connection (Content-Length is
    /// already promised, and a shorter body must not look complete to the client) and returns how many bytes it lacked;
    /// otherwise 0.
    /// </summary>
    public static async Task<long> SendAsync(HttpContext context, Stream content, long length, CancellationToken cancellationToken)
    {
        var writer = context.Response.BodyWriter;
        var remaining = length;
        while (remaining > 0)
        {
            var memory = writer.GetMemory((int)Math.Min(ReadSize, remaining));
            var read = await content.ReadAsync(memory[..(int)Math.Min(memory.Length, remaining)], cancellationToken);
            if (read == 0)
            {
                context.Abort();
                return remaining;
            }

            writer.Advance(read);
            remaining -= read;
            if (remaining == 0)
            {
                // Every byte is Kestrel's to send now. Said before the last flush: a client that closes as soon as it
                // has the last byte can abort the request while that flush still waits for the socket.
                HttpTelemetry.BodySent(context);
            }

            var flushed = await writer.FlushAsync(cancellationToken);
            if (remaining > 0 && (flushed.IsCanceled || flushed.IsCompleted))
            {
                // The client went away (the pipe's reader completed): nobody is left to send the rest to.
                return 0;
            }
        }

        return 0;
    }
}
