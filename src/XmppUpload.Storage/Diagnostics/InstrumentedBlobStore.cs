using System.Diagnostics;
using System.Runtime.CompilerServices;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.Diagnostics;

/// <summary>
/// Wraps the configured <see cref="IBlobStore"/> so that each operation is a span and a measurement (see
/// <see cref="StorageTelemetry"/>). A write is one span from BeginWrite to its commit or discard, never one per chunk:
/// the copy loop stays as cheap as without telemetry.
/// </summary>
internal sealed class InstrumentedBlobStore(IBlobStore inner, string provider, StorageTelemetry telemetry) : IBlobStore
{
    private const string Store = "blob_store";

    public IBlobStore Inner => inner;

    public async Task<IBlobWriter> BeginWriteAsync(string key, CancellationToken cancellationToken)
    {
        // Started inside this async method, the span does not stay Activity.Current in the caller's flow.
        var started = Stopwatch.GetTimestamp();
        var activity = StorageTelemetry.Start(Store, provider, "write");
        try
        {
            return new InstrumentedBlobWriter(await inner.BeginWriteAsync(key, cancellationToken), provider, telemetry, activity, started);
        }
        catch (Exception exception)
        {
            telemetry.Ended(activity, Store, provider, "write", started, exception);
            throw;
        }
    }

    public Task<Stream?> OpenReadAsync(string key, long offset, long length, CancellationToken cancellationToken) =>
        MeasureAsync("read", () => inner.OpenReadAsync(key, offset, length, cancellationToken));

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) =>
        MeasureAsync("exists", () => inner.ExistsAsync(key, cancellationToken));

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        MeasureAsync("delete", async () =>
        {
            await inner.DeleteAsync(key, cancellationToken);
            return true;
        });

    public async IAsyncEnumerable<BlobListing> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Listing is paged by the store; one span covers the whole walk.
        var started = Stopwatch.GetTimestamp();
        var activity = StorageTelemetry.Start(Store, provider, "list");
        Exception? failure = null;
        var enumerator = inner.ListAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                BlobListing current;
                try
                {
                    if (!await enumerator.MoveNextAsync())
                    {
                        break;
                    }

                    current = enumerator.Current;
                }
                catch (Exception exception)
                {
                    failure = exception;
                    throw;
                }

                yield return current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync();
            telemetry.Ended(activity, Store, provider, "list", started, failure);
        }
    }

    public Task<int> RemoveStagedAsync(CancellationToken cancellationToken) =>
        MeasureAsync("remove_staged", () => inner.RemoveStagedAsync(cancellationToken));

    private async Task<T> MeasureAsync<T>(string operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var activity = StorageTelemetry.Start(Store, provider, operation);
        try
        {
            var result = await call();
            telemetry.Ended(activity, Store, provider, operation, started, null);
            return result;
        }
        catch (Exception exception)
        {
            telemetry.Ended(activity, Store, provider, operation, started, exception);
            throw;
        }
    }

    private sealed class InstrumentedBlobWriter(IBlobWriter inner, string provider, StorageTelemetry telemetry, Activity? activity, long started) : IBlobWriter
    {
        private bool _ended;

        public long BytesWritten => inner.BytesWritten;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => inner.WriteAsync(data, cancellationToken);

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            try
            {
                await inner.CommitAsync(cancellationToken);
                End(committed: true, null);
            }
            catch (Exception exception)
            {
                End(committed: false, exception);
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync();
            }
            finally
            {
                // Disposed without a commit: the staged bytes were discarded, which is what a failed upload asks.
                End(committed: false, null);
            }
        }

        private void End(bool committed, Exception? failure)
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            activity?.SetTag("xmppupload.blob.bytes", inner.BytesWritten);
            activity?.SetTag("xmppupload.blob.committed", committed);
            telemetry.Ended(activity, Store, provider, "write", started, failure);
        }
    }
}
