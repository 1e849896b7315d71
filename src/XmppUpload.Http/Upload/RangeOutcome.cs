namespace XmppUpload.Http.Upload;

/// <summary>How a GET's Range header applies to a representation (RFC 9110 section 14).</summary>
internal enum RangeOutcome
{
    /// <summary>No usable range: serve the whole representation with 200.</summary>
    Full,

    /// <summary>One satisfiable range: serve it with 206.</summary>
    Partial,

    /// <summary>A single range that starts past the end: 416 with <c>Content-Range: bytes */length</c>.</summary>
    Unsatisfiable,
}
