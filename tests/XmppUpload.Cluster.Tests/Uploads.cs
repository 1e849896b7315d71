namespace XmppUpload.Cluster.Tests;

/// <summary>PUTs as an XEP-0363 client sends them: the slot's headers, the exact length, the file as the body.</summary>
internal static class Uploads
{
    /// <summary>PUTs <paramref name="content"/>; returns the status, or null when no HTTP answer came.</summary>
    public static Task<int?> PutAsync(HttpClient http, Uri target, IReadOnlyDictionary<string, string> slotHeaders, byte[] content, CancellationToken cancellationToken) =>
        PutAsync(http, target, slotHeaders, new ByteArrayContent(content), cancellationToken);

    public static async Task<int?> PutAsync(HttpClient http, Uri target, IReadOnlyDictionary<string, string> slotHeaders, HttpContent body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, target) { Content = body };
        foreach (var (name, value) in slotHeaders)
        {
            // XEP-0363 section 7: the slot's headers go on the PUT as given.
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>A file's slot headers and bytes, PUT to <paramref name="target"/>.</summary>
    public static Task<int?> PutAsync(HttpClient http, Uri target, SlotOutcome slot, byte[] content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slot);
        return PutAsync(http, target, slot.PutHeaders, content, cancellationToken);
    }
}
