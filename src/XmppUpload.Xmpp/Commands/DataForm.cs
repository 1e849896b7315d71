using System.Xml.Linq;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Commands;

/// <summary>Builds and reads XEP-0004 data forms.</summary>
internal static class DataForm
{
    public static readonly XNamespace X = XmppNames.DataFormsNamespace;

    /// <summary>A form of <paramref name="type"/> (form, result) with a title and its children.</summary>
    public static XElement Create(string type, string title, params object[] content) =>
        new(X + "x", new XAttribute("type", type), new XElement(X + "title", title), content);

    public static XElement Instructions(string text) => new(X + "instructions", text);

    /// <summary>XEP-0004 section 3.4: the column headings of a result table, in order.</summary>
    public static XElement Reported(IEnumerable<(string Var, string Label)> columns) =>
        new(X + "reported", columns.Select(c => new XElement(
            X + "field",
            new XAttribute("var", c.Var),
            new XAttribute("label", c.Label),
            new XAttribute("type", "text-single"))));

    /// <summary>One row of a result table; every reported column gets exactly one value.</summary>
    public static XElement Item(IEnumerable<(string Var, string Value)> cells) =>
        new(X + "item", cells.Select(c => new XElement(X + "field", new XAttribute("var", c.Var), new XElement(X + "value", c.Value))));

    /// <summary>XEP-0004 section 3.3: a required list-single field; each option is (label, value).</summary>
    public static XElement ListSingle(string var, string label, IEnumerable<(string Label, string Value)> options) =>
        new(
            X + "field",
            new XAttribute("var", var),
            new XAttribute("label", label),
            new XAttribute("type", "list-single"),
            new XElement(X + "required"),
            options.Select(o => new XElement(X + "option", new XAttribute("label", o.Label), new XElement(X + "value", o.Value))));

    /// <summary>The data form in <paramref name="parent"/>, or <c>null</c> when there is none.</summary>
    public static XElement? Find(XElement parent) => parent.Element(X + "x");

    /// <summary>The form's type attribute (submit, cancel, ...), or <c>null</c>.</summary>
    public static string? TypeOf(XElement form) => (string?)form.Attribute("type");

    /// <summary>The values of the field <paramref name="var"/>, empty when the field is absent.</summary>
    public static IReadOnlyList<string> Values(XElement form, string var) =>
        [.. form.Elements(X + "field")
            .Where(f => (string?)f.Attribute("var") == var)
            .SelectMany(f => f.Elements(X + "value"))
            .Select(v => v.Value)];
}
