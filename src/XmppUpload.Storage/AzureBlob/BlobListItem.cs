namespace XmppUpload.Storage.AzureBlob;

/// <summary>One entry of a List Blobs page; <see cref="Name"/> is null for a name the service had to encode.</summary>
internal sealed record BlobListItem(string? Name, DateTimeOffset LastModified);
