using Microsoft.Extensions.Options;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Tokens;
using XmppUpload.Node.Configuration;

namespace XmppUpload.Node.Admin;

/// <summary><c>keys list</c> and <c>keys rotate</c>: the PUT-token signing keys, never their secrets.</summary>
internal sealed class KeyVerbs
{
    private const string LedgerSource = "ledger";
    private const string ConfigurationSource = "configuration";

    private readonly ISigningKeyStore _store;
    private readonly TokensOptions _tokens;
    private readonly UploadOptions _upload;
    private readonly TimeProvider _time;
    private readonly AdminOutput _output;

    public KeyVerbs(ISigningKeyStore store, IOptions<TokensOptions> tokens, UploadOptions upload, TimeProvider time, AdminOutput output)
    {
        _store = store;
        _tokens = tokens.Value;
        _upload = upload;
        _time = time;
        _output = output;
    }

    public async Task<int> ListAsync(CancellationToken cancellationToken)
    {
        var configured = _tokens.UsesConfiguredKeys;
        var keys = configured
            ? [.. _tokens.SigningKeys.Select(k => k.ToSigningKey())]
            : await _store.GetKeysAsync(_time, cancellationToken);
        var at = _time.GetUtcNow();
        var signer = SigningKeySchedule.SignerAt(keys, at);
        if (_output.Json)
        {
            _output.WriteJson(
                new KeysJson(configured ? ConfigurationSource : LedgerSource, AdminJsonContext.Instant(at)!, [.. keys.Select(k => new KeyJson(
                    k.Id,
                    configured ? null : AdminJsonContext.Instant(k.CreatedAt),
                    k.ActivatesAt == DateTimeOffset.MinValue ? null : AdminJsonContext.Instant(k.ActivatesAt),
                    AdminJsonContext.Instant(k.RetiresAt),
                    ReferenceEquals(k, signer)))]),
                AdminJsonContext.Default.KeysJson);
            return AdminExitCodes.Ok;
        }

        await _output.Out.WriteLineAsync(configured
            ? $"Signing keys of Tokens:SigningKeys at {AdminText.Instant(at)} (the ledger's keys are not used)"
            : $"Signing keys in the ledger at {AdminText.Instant(at)}");
        await _output.Out.WriteLineAsync();
        if (keys.Count == 0)
        {
            await _output.Out.WriteLineAsync("The ledger holds no signing key yet: the first node to start creates one.");
            return AdminExitCodes.Ok;
        }

        var table = new TextTable("ID", "CREATED", "ACTIVATES", "RETIRES", "SIGNS");
        foreach (var key in keys)
        {
            table.Add(
                key.Id,
                configured ? "-" : AdminText.Instant(key.CreatedAt),
                key.ActivatesAt == DateTimeOffset.MinValue ? "from start" : AdminText.Instant(key.ActivatesAt),
                AdminText.Instant(key.RetiresAt),
                ReferenceEquals(key, signer) ? "yes" : key.ActivatesAt > at ? "later" : "no");
        }

        table.WriteTo(_output.Out);
        return AdminExitCodes.Ok;
    }

    /// <summary>
    /// The new key signs after twice <c>Tokens:KeyReloadInterval</c> (every node has loaded it by then, even one whose
    /// reload failed once), and the key it replaces verifies until <c>Upload:SlotLifetime</c> after that, the longest a
    /// PUT token lives: every purpose's slots share that lifetime.
    /// </summary>
    public async Task<int> RotateAsync(CancellationToken cancellationToken)
    {
        if (_tokens.UsesConfiguredKeys)
        {
            await _output.Error.WriteLineAsync(
                "Nothing was rotated: Tokens:SigningKeys supplies the keys, so the ledger's keys are not used. Rotate them in every "
                + "node's configuration: put the new key first, with an ActivatesAt after the last node has restarted with it, "
                + "and remove the old key once Upload:SlotLifetime has passed after that instant.");
            return AdminExitCodes.UsageError;
        }

        var policy = KeyRotationPolicy.ForReloadInterval(_tokens.KeyReloadInterval, _upload.SlotLifetime);
        var rotation = await _store.RotateKeysAsync(_time, policy, cancellationToken);
        var key = rotation.Key;
        var replaced = rotation.Replaced;
        if (_output.Json)
        {
            _output.WriteJson(
                new KeyRotationJson(
                    rotation.Added,
                    key.Id,
                    AdminJsonContext.Instant(key.ActivatesAt)!,
                    replaced?.Id,
                    AdminJsonContext.Instant(replaced?.RetiresAt)),
                AdminJsonContext.Default.KeyRotationJson);
            return AdminExitCodes.Ok;
        }

        if (replaced is null)
        {
            await _output.Out.WriteLineAsync($"The ledger had no signing key: created key {key.Id}, which signs from {AdminText.Instant(key.ActivatesAt)}.");
            return AdminExitCodes.Ok;
        }

        await _output.Out.WriteLineAsync(rotation.Added
            ? $"Added signing key {key.Id}: every node verifies with it once it has loaded it, and it signs from {AdminText.Instant(key.ActivatesAt)}."
            : $"No key was added: a rotation is already under way. Key {key.Id} signs from {AdminText.Instant(key.ActivatesAt)}.");
        await _output.Out.WriteLineAsync(
            $"Key {replaced.Id} signs until then and verifies until {AdminText.Instant(replaced.RetiresAt)}, when the last token it signed has expired.");
        return AdminExitCodes.Ok;
    }
}
