namespace XmppUpload.Storage.AzureBlob;

/// <summary>One List Blobs page and the marker of the next one (null after the last).</summary>
internal sealed record BlobListPage(IReadOnlyList<BlobListItem> Blobs, string? NextMarker);
