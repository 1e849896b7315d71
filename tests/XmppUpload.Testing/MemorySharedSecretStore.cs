using System.Collections.Concurrent;
using System.Security.Cryptography;
using XmppUpload.Core.Ports;

namespace XmppUpload.Testing;

/// <summary>
/// An in-memory <see cref="ISharedSecretStore"/> for unit tests (the ledgers' own are tested in Storage.Tests): one
/// instance is one deployment, so two components given the same instance share their secrets as two nodes would.
/// </summary>
public sealed class MemorySharedSecretStore : ISharedSecretStore
{
    private readonly ConcurrentDictionary<string, byte[]> _secrets = new(StringComparer.Ordinal);

    public Task<byte[]> GetOrCreateSecretAsync(string name, int length, CancellationToken cancellationToken) =>
        Task.FromResult(_secrets.GetOrAdd(name, _ => RandomNumberGenerator.GetBytes(length)).ToArray());
}
