namespace XmppUpload.Testing;

/// <summary>How <see cref="ExternalProcess.Start"/> runs a program.</summary>
public sealed class ExternalProcessOptions
{
    /// <summary>Short name used in messages; the file name when not set.</summary>
    public string? Name { get; init; }

    /// <summary>Working directory; the current directory when not set.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables to set (or, with a null value, remove) on top of this process's environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();
}
