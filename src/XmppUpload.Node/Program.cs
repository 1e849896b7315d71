using XmppUpload.Http;
using XmppUpload.Node.Configuration;
using XmppUpload.Node.Hosting;
using XmppUpload.ServiceDefaults;
using XmppUpload.Storage;
using XmppUpload.Xmpp;

var builder = WebApplication.CreateBuilder(args);

if (!HttpEndpointCheck.HasListener(builder.Configuration))
{
    await Console.Error.WriteLineAsync(HttpEndpointCheck.Message);
    return 2;
}

builder.AddServiceDefaults();
// Storage and the key loader work in StartingAsync, which the host runs for every service before any StartAsync:
// the ledger is migrated, staged files are removed and the keys are loaded before the component link or Kestrel
// take a request.
builder.Services.AddEmbeddedStorage();
builder.Services.AddSlotServices();
builder.Services.AddUploadEndpoints();
builder.Services.AddXmppComponent();

var app = builder.Build();

var failures = StartupValidation.Check(app.Services);
if (failures.Count > 0)
{
    foreach (var failure in failures)
    {
        await Console.Error.WriteLineAsync(failure);
    }

    return 2;
}

app.MapDefaultEndpoints();
app.MapUploadEndpoints();
await app.RunAsync();
return 0;
