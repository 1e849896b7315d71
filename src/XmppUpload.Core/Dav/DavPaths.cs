namespace XmppUpload.Core.Dav;

/// <summary>Normalised WebDAV paths: <c>/</c> for the root, otherwise <c>/segment/segment</c> without a trailing slash.</summary>
public static class DavPaths
{
    public const string Root = "/";

    public static string Parent(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? Root : path[..slash];
    }

    public static string Name(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path == Root ? string.Empty : path[(path.LastIndexOf('/') + 1)..];
    }

    public static string Combine(string parent, string name) => parent == Root ? "/" + name : parent + "/" + name;

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public static bool IsSelfOrDescendant(string path, string ancestor)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(ancestor);
        return ancestor == Root
            || path == ancestor
            || (path.Length > ancestor.Length && path.StartsWith(ancestor, StringComparison.Ordinal) && path[ancestor.Length] == '/');
    }

    /// <summary><paramref name="path"/> moved from below <paramref name="from"/> to below <paramref name="to"/>.</summary>
    public static string Rebase(string path, string from, string to)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path == from ? to : to + path[from.Length..];
    }
}
