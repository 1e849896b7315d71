using System.Globalization;
using System.Net.Http.Headers;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.Configuration;

namespace XmppUpload.Core.Slots;

/// <summary>
/// Validates the attribute values of an XEP-0363 <c>&lt;request/&gt;</c> (section 5) and its purpose child. The XML
/// is read by the XMPP layer; every rule about the values lives here so that it is tested once.
/// </summary>
public static class SlotRequestReader
{
    /// <param name="purposeElement">The local name of the purpose child, or <c>null</c> when there is none.</param>
    public static SlotRequestParse Read(
        string? fileName,
        string? size,
        string? contentType,
        string? purposeElement,
        string? expireBefore,
        UploadOptions options,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);

        var name = FileNames.Normalize(fileName);
        if (!name.IsAccepted)
        {
            return SlotRequestParse.Invalid(name.Error!);
        }

        if (string.IsNullOrEmpty(size))
        {
            return SlotRequestParse.Invalid("The 'size' attribute is missing.");
        }

        // XEP-0363 section 5: size is the file size in bytes, a plain non-negative decimal integer.
        if (!size.All(char.IsAsciiDigit) || !long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
        {
            return SlotRequestParse.Invalid($"The 'size' attribute '{Shorten(size)}' is not a number of bytes.");
        }

        if (bytes <= 0)
        {
            return SlotRequestParse.Invalid("The 'size' attribute must be greater than zero.");
        }

        string? mediaType = null;
        if (!string.IsNullOrWhiteSpace(contentType))
        {
            if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType is null
                || !parsed.MediaType.Contains('/', StringComparison.Ordinal) || contentType.Any(char.IsControl))
            {
                return SlotRequestParse.Invalid($"The 'content-type' attribute '{Shorten(contentType)}' is not a media type.");
            }

            mediaType = contentType.Trim();
        }

        // XEP-0363 "Upload purpose": without a purpose the service MUST assume 'message'.
        var purpose = Purpose.Message;
        if (purposeElement is not null && !PurposeNames.TryParse(purposeElement, out purpose))
        {
            return SlotRequestParse.Invalid($"The purpose '{Shorten(purposeElement)}' is not known.");
        }

        if (!options.IsEnabled(purpose))
        {
            return SlotRequestParse.Invalid($"The purpose '{PurposeNames.ElementName(purpose)}' is not offered by this service.");
        }

        DateTimeOffset? expiry = null;
        if (purpose == Purpose.Ephemeral)
        {
            // The 'ephemeral' element MUST have an 'expire-before' attribute holding a XEP-0082 DateTime.
            if (string.IsNullOrEmpty(expireBefore))
            {
                return SlotRequestParse.Invalid("The 'ephemeral' purpose needs an 'expire-before' attribute.");
            }

            if (!XmppDateTime.TryParse(expireBefore, out var parsedExpiry))
            {
                return SlotRequestParse.Invalid($"The 'expire-before' value '{Shorten(expireBefore)}' is not a XEP-0082 DateTime.");
            }

            if (parsedExpiry <= now)
            {
                return SlotRequestParse.Invalid("The 'expire-before' time has already passed.");
            }

            expiry = parsedExpiry;
        }

        return SlotRequestParse.Valid(new SlotRequest(name.Name!, bytes, mediaType, purpose, expiry));
    }

    // Echoed values are cut so that a huge attribute does not make a huge error stanza.
    private static string Shorten(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "...");
}
