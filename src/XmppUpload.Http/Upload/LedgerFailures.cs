using System.Data.Common;
using System.Net.Sockets;

namespace XmppUpload.Http.Upload;

/// <summary>
/// Which exceptions of a ledger call mean "the ledger could not be reached or did not answer" (a database restarting,
/// a cut network, a timeout): the outcome of the call is unknown, and trying again later may succeed. Anything else is
/// a bug and is not retried.
/// </summary>
internal static class LedgerFailures
{
    public static bool IsUnavailable(Exception exception) =>
        exception is DbException or IOException or SocketException or TimeoutException;
}
