namespace XmppUpload.Benchmarks.Http;

/// <summary>Finds a program on PATH, so a run can say which servers this machine lacks before it starts any.</summary>
internal static class ExecutableSearch
{
    /// <summary>The full path of <paramref name="name"/> in the first PATH directory that has it, or <c>null</c>.</summary>
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
