using XmppUpload.Core.Slots;

namespace XmppUpload.Storage.Sqlite;

/// <summary>How slot states and purposes are spelled in the ledger's columns.</summary>
internal static class SlotStateNames
{
    public const string Pending = "pending";
    public const string Uploading = "uploading";
    public const string Stored = "stored";
    public const string Deleted = "deleted";

    public static string Name(SlotState state) => state switch
    {
        SlotState.Pending => Pending,
        SlotState.Uploading => Uploading,
        SlotState.Stored => Stored,
        SlotState.Deleted => Deleted,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static SlotState ParseState(string name) => name switch
    {
        Pending => SlotState.Pending,
        Uploading => SlotState.Uploading,
        Stored => SlotState.Stored,
        Deleted => SlotState.Deleted,
        _ => throw new InvalidDataException($"The ledger holds the unknown slot state '{name}'."),
    };

    public static Purpose ParsePurpose(string name) =>
        PurposeNames.TryParse(name, out var purpose)
            ? purpose
            : throw new InvalidDataException($"The ledger holds the unknown purpose '{name}'.");
}
