using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace XmppUpload.Storage.Sqlite;

/// <summary>
/// Prepared statements for the writer. Every write runs on one connection that the group commit keeps open (see
/// <c>SqliteLedger.Writes.cs</c>), and each statement it runs is compiled once on it and then reused: compiling a
/// statement (parsing, planning, and coding the triggers it fires) costs more than running it, and a slot request runs
/// several. Reads use pooled connections and compile their statements each time, as before.
/// </summary>
public sealed partial class SqliteLedger
{
    // The statements compiled on each writer connection, by SQL text. Only the drain uses a writer, one batch at a time.
    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, ReusedCommand>> WriterStatements = [];

    // The connection every batch of writes runs on; opened by the first batch, closed with the ledger.
    private SqliteConnection? _writer;

    /// <summary>
    /// A command for <paramref name="sql"/> on <paramref name="connection"/>. On the writer it is the statement compiled
    /// there before (its parameters cleared), which the caller's dispose leaves alone; elsewhere a new command.
    /// </summary>
    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        if (WriterStatements.TryGetValue(connection, out var statements))
        {
            if (!statements.TryGetValue(sql, out var reused))
            {
                reused = new ReusedCommand { Connection = connection, CommandText = sql };
                statements.Add(sql, reused);
            }

            reused.Parameters.Clear();
            reused.Transaction = transaction;
            return reused;
        }

        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>How many statements the writer holds compiled; for tests.</summary>
    internal int CompiledWriterStatements =>
        _writer is { } writer && WriterStatements.TryGetValue(writer, out var statements) ? statements.Count : 0;

    private async Task<SqliteConnection> WriterAsync()
    {
        if (_writer is { } writer)
        {
            return writer;
        }

        writer = await OpenAsync(CancellationToken.None);
        WriterStatements.Add(writer, new Dictionary<string, ReusedCommand>(StringComparer.Ordinal));
        _writer = writer;
        return writer;
    }

    /// <summary>Closes the writer and its statements; called when no batch runs and the ledger is disposed.</summary>
    private void CloseWriter()
    {
        if (_writer is not { } writer)
        {
            return;
        }

        _writer = null;
        if (WriterStatements.TryGetValue(writer, out var statements))
        {
            foreach (var statement in statements.Values)
            {
                statement.Release();
            }

            WriterStatements.Remove(writer);
        }

        writer.Dispose();
    }

    /// <summary>
    /// A command kept on the writer: the callers' <c>using</c> (written for commands of their own) does not dispose it,
    /// so its compiled statements survive until <see cref="Release"/>.
    /// </summary>
    private sealed class ReusedCommand : SqliteCommand
    {
        private bool _released;

        public void Release()
        {
            _released = true;
            Dispose();
        }

        public override ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        protected override void Dispose(bool disposing)
        {
            if (_released)
            {
                base.Dispose(disposing);
            }
        }
    }
}
