namespace XmppUpload.Storage.Postgres;

/// <summary>Where the PostgreSQL ledger is (<c>ConnectionStrings:Ledger</c>) and who this node is to it (<c>Ledger:NodeId</c>).</summary>
public sealed class PostgresLedgerOptions
{
    /// <summary>The configuration key of <see cref="ConnectionString"/>.</summary>
    public const string ConnectionStringKey = "ConnectionStrings:Ledger";

    /// <summary>The configuration key of <see cref="NodeId"/>.</summary>
    public const string NodeIdKey = "Ledger:NodeId";

    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Database=xmppupload;Username=xmppupload;Password=...</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// This node's name among the nodes sharing the ledger, stable across restarts: an upload in progress is recorded
    /// with it, and at start a node returns only its own interrupted uploads to Pending, never those that other nodes
    /// are streaming. Defaults to the machine name; set it when several nodes run on one machine.
    /// </summary>
    public string NodeId { get; set; } = Environment.MachineName;
}
