namespace XmppUpload.Storage.AzureBlob;

/// <summary>A ranged Get Blob: its outcome and, when found, the body to stream (which owns the response).</summary>
internal readonly record struct BlobRangeResult(BlobRangeStatus Status, Stream? Content)
{
    public static BlobRangeResult NotFound => new(BlobRangeStatus.NotFound, null);

    public static BlobRangeResult OutsideTheBlob => new(BlobRangeStatus.OutsideTheBlob, null);
}
