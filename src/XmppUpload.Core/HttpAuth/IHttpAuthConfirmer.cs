namespace XmppUpload.Core.HttpAuth;

/// <summary>Sends XEP-0070 confirmation requests over XMPP and waits for the user's answer.</summary>
public interface IHttpAuthConfirmer
{
    Task<ConfirmationOutcome> ConfirmAsync(ConfirmationRequest request, CancellationToken cancellationToken);
}
