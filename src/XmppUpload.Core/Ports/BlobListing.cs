namespace XmppUpload.Core.Ports;

/// <summary>A committed blob as the store lists it, for finding blobs that no ledger row points to.</summary>
public sealed record BlobListing(string Key, DateTimeOffset LastModified);
