namespace XmppUpload.Interop.Tests;

/// <summary>The node attached to ejabberd (Debian's 23.01) as its upload component.</summary>
public sealed class EjabberdUploadTests(EjabberdNodeFixture fixture)
    : UploadInteropTests<EjabberdNodeFixture>(fixture), IClassFixture<EjabberdNodeFixture>;
