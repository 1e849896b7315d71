namespace XmppUpload.Storage.AzureBlob;

/// <summary>How a ranged Get Blob ended.</summary>
internal enum BlobRangeStatus
{
    Found,
    NotFound,
    OutsideTheBlob,
}
