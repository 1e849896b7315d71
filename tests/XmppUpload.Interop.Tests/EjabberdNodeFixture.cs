namespace XmppUpload.Interop.Tests;

public sealed class EjabberdNodeFixture() : NodeFixture("ejabberd");
