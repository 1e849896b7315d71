using System.Data.Common;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Tokens;

namespace XmppUpload.Storage;

/// <summary>
/// What both ledgers' <see cref="XmppUpload.Core.Ports.ISigningKeyStore"/> decide (which keys to create, retire or
/// delete) around their own SQL. The rules themselves are Core's <see cref="SigningKeySchedule"/>.
/// </summary>
internal static class SigningKeyLedger
{
    // The columns, in the order every ledger's SELECT lists them.
    private const int IdColumn = 0;
    private const int SecretColumn = 1;
    private const int CreatedAtColumn = 2;
    private const int ActivatesAtColumn = 3;
    private const int RetiresAtColumn = 4;

    public static async Task<IReadOnlyList<SigningKey>> GetOrCreateKeysAsync(
        ISigningKeyTable table,
        TimeProvider time,
        ILogger logger,
        Action<ILogger, string> logCreated,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);

        // The common case reads only, without queuing behind writers.
        var existing = await GetKeysAsync(table, time, logger, cancellationToken);
        if (existing.Count > 0)
        {
            return existing;
        }

        var (keys, created, deleted) = await table.WriteKeysAsync(
            async (rows, token) =>
            {
                // Callers starting at once queue here; those after the first see its key and create none.
                var now = KeyTime(time);
                var (inForce, retired) = await ReadKeysInForceAsync(rows, now, token);
                if (inForce.Count > 0)
                {
                    return (inForce, (SigningKey?)null, retired);
                }

                var key = SigningKey.CreateRandom(now);
                await rows.InsertAsync(key, token);
                return ((IReadOnlyList<SigningKey>)[key], key, retired);
            },
            cancellationToken);

        LogDeleted(logger, deleted);
        if (created is not null)
        {
            logCreated(logger, created.Id);
        }

        return keys;
    }

    public static async Task<IReadOnlyList<SigningKey>> GetKeysAsync(
        ISigningKeyTable table,
        TimeProvider time,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        var now = KeyTime(time);
        var all = await table.ReadKeysAsync(cancellationToken);
        if (!all.Any(k => k.IsRetiredAt(now)))
        {
            return all;
        }

        var (inForce, deleted) = await table.WriteKeysAsync((rows, token) => ReadKeysInForceAsync(rows, now, token), cancellationToken);
        LogDeleted(logger, deleted);
        return inForce;
    }

    public static async Task<SigningKeyRotation> RotateKeysAsync(
        ISigningKeyTable table,
        TimeProvider time,
        KeyRotationPolicy policy,
        ILogger logger,
        Action<ILogger, string> logCreated,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(policy);
        var (rotation, deleted) = await table.WriteKeysAsync(
            async (rows, token) =>
            {
                // Read the clock inside the transaction: a rotation that waited for another one sees its key as pending.
                var now = KeyTime(time);
                var (inForce, retired) = await ReadKeysInForceAsync(rows, now, token);
                var rotation = SigningKeySchedule.PlanRotation(inForce, now, policy);
                if (rotation.Added)
                {
                    await rows.InsertAsync(rotation.Key, token);
                    foreach (var key in rotation.Retiring)
                    {
                        await rows.SetRetirementAsync(key, token);
                    }
                }

                return (rotation, retired);
            },
            cancellationToken);

        LogDeleted(logger, deleted);
        if (rotation is { Added: true, Replaced: { } replaced })
        {
            SigningKeyLog.Rotated(logger, rotation.Key.Id, rotation.Key.ActivatesAt, replaced.Id, replaced.RetiresAt);
        }
        else if (rotation is { Added: true })
        {
            logCreated(logger, rotation.Key.Id);
        }

        return rotation;
    }

    /// <summary>Every row <paramref name="command"/> selects (id, secret, created_at, activates_at, retires_at), in its order.</summary>
    public static async Task<IReadOnlyList<SigningKey>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<SigningKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(
                new SigningKey(reader.GetString(IdColumn), reader.GetFieldValue<byte[]>(SecretColumn), FromColumn(reader.GetInt64(CreatedAtColumn)))
                {
                    ActivatesAt = FromColumn(reader.GetInt64(ActivatesAtColumn)),
                    RetiresAt = reader.IsDBNull(RetiresAtColumn) ? null : FromColumn(reader.GetInt64(RetiresAtColumn)),
                });
        }

        return keys;
    }

    /// <summary>The keys not yet retired at <paramref name="now"/>; the retired ones are deleted in the same transaction.</summary>
    private static async Task<(IReadOnlyList<SigningKey> InForce, IReadOnlyList<SigningKey> Deleted)> ReadKeysInForceAsync(
        ISigningKeyRows rows,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var all = await rows.ReadAsync(cancellationToken);
        var retired = all.Where(k => k.IsRetiredAt(now)).ToList();
        foreach (var key in retired)
        {
            await rows.DeleteAsync(key, cancellationToken);
        }

        return (retired.Count == 0 ? all : [.. all.Where(k => !k.IsRetiredAt(now))], retired);
    }

    // Whole milliseconds, as stored, so that a key handed back equals the key read back later.
    private static DateTimeOffset KeyTime(TimeProvider time) => LedgerTime.AsStored(time.GetUtcNow());

    private static DateTimeOffset FromColumn(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    private static void LogDeleted(ILogger logger, IReadOnlyList<SigningKey> deleted)
    {
        foreach (var key in deleted)
        {
            SigningKeyLog.Deleted(logger, key.Id, key.RetiresAt);
        }
    }
}
