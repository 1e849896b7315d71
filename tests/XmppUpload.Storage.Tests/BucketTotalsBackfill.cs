namespace XmppUpload.Storage.Tests;

/// <summary>
/// Slots in every state, as a database from before the running totals holds them, and the totals the migration that
/// adds them must compute (each ledger's migration test runs it and reads bucket_totals back in this form).
/// </summary>
internal static class BucketTotalsBackfill
{
    public const string InsertSlotsOfEveryState =
        "INSERT INTO slots (id, owner, file_name, size, purpose, created_at, put_deadline, state) VALUES "
        + "('a', 'juliet@capulet.example', 'f', 100, 'message', 1, 2, 'stored'), "
        + "('b', 'juliet@capulet.example', 'f', 20, 'message', 1, 2, 'pending'), "
        + "('c', 'juliet@capulet.example', 'f', 1000, 'message', 1, 2, 'deleted'), "
        + "('d', 'juliet@capulet.example', 'f', 5, 'profile', 1, 2, 'uploading'), "
        + "('e', 'romeo@montague.example', 'f', 7, 'message', 1, 2, 'stored'), "
        + "('f', 'romeo@montague.example', 'f', 3, 'ephemeral', 1, 2, 'deleted')";

    /// <summary>owner/purpose=stored,pending,uploading per bucket, ordered: deleted rows count nowhere, and a bucket with nothing else has no row.</summary>
    public const string ExpectedTotals =
        "juliet@capulet.example/message=100,20,0;juliet@capulet.example/profile=0,0,5;romeo@montague.example/message=7,0,0";
}
