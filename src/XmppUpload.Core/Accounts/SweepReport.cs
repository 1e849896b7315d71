namespace XmppUpload.Core.Accounts;

/// <summary>What one sweep did.</summary>
public sealed record SweepReport(int Expired, int LapsedReservations, int BlobsRemoved, int OrphansRemoved);
