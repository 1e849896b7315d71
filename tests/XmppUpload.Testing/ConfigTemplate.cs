using System.Text;
using System.Text.RegularExpressions;

namespace XmppUpload.Testing;

/// <summary>Fills the {{NAME}} placeholders of the server config templates in infra/.</summary>
internal static partial class ConfigTemplate
{
    /// <summary>
    /// Replaces every placeholder. Values go into quoted Lua or YAML strings, so they must not need escaping;
    /// names ending in _BLOCK are inserted verbatim (raw config). An unknown or unfilled placeholder is an error.
    /// </summary>
    public static string Render(string templatePath, IReadOnlyDictionary<string, string> values)
    {
        var template = File.ReadAllText(templatePath, Encoding.UTF8);
        var missing = new List<string>();
        var rendered = Placeholder().Replace(template, match =>
        {
            var name = match.Groups[1].Value;
            if (!values.TryGetValue(name, out var value))
            {
                missing.Add(name);
                return match.Value;
            }

            if (!name.EndsWith("_BLOCK", StringComparison.Ordinal) && value.AsSpan().IndexOfAny("\"\\\r\n") >= 0)
            {
                throw new ArgumentException($"The value for {{{{{name}}}}} needs escaping, which the templates do not do: {value}");
            }

            return value;
        });

        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"{templatePath} has placeholders without values: {string.Join(", ", missing)}");
        }

        return rendered;
    }

    [GeneratedRegex(@"\{\{([A-Z0-9_]+)\}\}")]
    private static partial Regex Placeholder();
}
