using Microsoft.Extensions.Options;
using Npgsql;

namespace XmppUpload.Storage.Postgres;

/// <summary>Fails the start with one line naming the key to set when the ledger's configuration cannot work.</summary>
internal sealed class PostgresLedgerOptionsValidator : IValidateOptions<PostgresLedgerOptions>
{
    private const string ConnectionRemedy =
        "set ConnectionStrings:Ledger (environment variable ConnectionStrings__Ledger) to an Npgsql connection string such as Host=db;Database=xmppupload;Username=xmppupload;Password=...";

    public ValidateOptionsResult Validate(string? name, PostgresLedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail($"ConnectionStrings:Ledger is empty: {ConnectionRemedy}.");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            // The message never quotes the string: it may hold a password.
            return ValidateOptionsResult.Fail($"ConnectionStrings:Ledger is not a valid connection string ({OneLine(e.Message)}): {ConnectionRemedy}.");
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            return ValidateOptionsResult.Fail($"ConnectionStrings:Ledger names no Host: {ConnectionRemedy}.");
        }

        if (string.IsNullOrWhiteSpace(options.NodeId))
        {
            return ValidateOptionsResult.Fail(
                "Ledger:NodeId is empty: set it (environment variable Ledger__NodeId) to a name unique to this node and stable across its restarts, or leave it unset for the machine name.");
        }

        return ValidateOptionsResult.Success;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
