using System.Net;
using System.Net.Sockets;

namespace XmppUpload.Testing;

/// <summary>Finds a TCP port on 127.0.0.1 that nothing listens on right now.</summary>
public static class FreeTcpPort
{
    /// <summary>
    /// Binds 127.0.0.1:0 and returns the port the kernel chose. The port is released before returning, so
    /// another process could take it first; the kernel hands out ephemeral ports round-robin, which keeps
    /// that window small enough for tests.
    /// </summary>
    public static int Get() => GetMany(1)[0];

    /// <summary>Like <see cref="Get"/> for several ports at once; they are distinct because all are bound together.</summary>
    public static int[] GetMany(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var sockets = new List<Socket>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }

            return [.. sockets.Select(socket => ((IPEndPoint)socket.LocalEndPoint!).Port)];
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }
}
