namespace XmppUpload.Interop.Tests;

/// <summary>The node attached to Prosody (Debian's 0.12) as its upload component.</summary>
public sealed class ProsodyUploadTests(ProsodyNodeFixture fixture)
    : UploadInteropTests<ProsodyNodeFixture>(fixture), IClassFixture<ProsodyNodeFixture>;
