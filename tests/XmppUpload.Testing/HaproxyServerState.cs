namespace XmppUpload.Testing;

/// <summary>One backend server as haproxy's statistics page reports it.</summary>
/// <param name="Name">The server's name in the config (<see cref="HaproxyBackend.Name"/>).</param>
/// <param name="Status">haproxy's status: <c>UP</c>, <c>DOWN</c>, <c>UP 1/2</c> (going down), <c>DOWN 1/2</c> (going up), <c>MAINT</c>, ...</param>
/// <param name="CheckStatus">The last health check's result: <c>L7OK</c> (200 from /health/ready), <c>L7STS</c> (another status), <c>L4CON</c> (refused), <c>INI</c> (none yet)...</param>
/// <param name="Responses">HTTP responses this server has sent through haproxy (the sum of the hrsp_* counters; health checks are not counted).</param>
public sealed record HaproxyServerState(string Name, string Status, string CheckStatus, long Responses)
{
    /// <summary>Up and its last check passed, so haproxy sends it requests.</summary>
    public bool IsUp => Status == "UP" && CheckStatus == "L7OK";

    /// <summary>Down: haproxy sends it nothing.</summary>
    public bool IsDown => Status == "DOWN";
}
