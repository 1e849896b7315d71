namespace XmppUpload.Interop.Tests;

public sealed class ProsodyNodeFixture() : NodeFixture("prosody");
