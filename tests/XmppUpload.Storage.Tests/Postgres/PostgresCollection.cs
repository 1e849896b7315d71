namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>The PostgreSQL tests share one server (<see cref="PostgresServerFixture"/>); each takes its own database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "Postgres";
}
