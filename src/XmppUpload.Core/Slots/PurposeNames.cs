namespace XmppUpload.Core.Slots;

/// <summary>Element and feature names of the XEP-0363 purpose extension (section "Upload purpose").</summary>
public static class PurposeNames
{
    public const string Namespace = "urn:xmpp:http:upload:purpose:0";

    public static IReadOnlyList<Purpose> All { get; } = [Purpose.Message, Purpose.Profile, Purpose.Ephemeral, Purpose.Permanent];

    public static string ElementName(Purpose purpose) => purpose switch
    {
        Purpose.Message => "message",
        Purpose.Profile => "profile",
        Purpose.Ephemeral => "ephemeral",
        Purpose.Permanent => "permanent",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, null),
    };

    public static string Feature(Purpose purpose) => $"{Namespace}#{ElementName(purpose)}";

    public static bool TryParse(string elementName, out Purpose purpose)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(ElementName(candidate), elementName, StringComparison.Ordinal))
            {
                purpose = candidate;
                return true;
            }
        }

        purpose = default;
        return false;
    }
}
