using XmppUpload.Http;
using XmppUpload.Http.Dav;
using XmppUpload.Http.Dav.Auth;
using XmppUpload.Http.Draining;
using XmppUpload.Node.Admin;
using XmppUpload.Node.Configuration;
using XmppUpload.Node.Hosting;
using XmppUpload.ServiceDefaults;
using XmppUpload.Storage;
using XmppUpload.Storage.Diagnostics;
using XmppUpload.Xmpp;

// Operator verbs (usage, files, purge, sweep, keys, help) work on the node's data and exit; see Admin/AdminCommandLine.cs.
if (AdminCommandLine.IsAdminInvocation(args))
{
    return await AdminCommandLine.RunAsync(args);
}

// Configuration files are read once. Reloading them needs a recursive watch of the content root (the working
// directory), and a node started in its data directory would then wake that watcher for every blob it writes.
var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);

if (!HttpEndpointCheck.HasListener(builder.Configuration))
{
    await Console.Error.WriteLineAsync(HttpEndpointCheck.Message);
    return 2;
}

if (StorageProviders.Check(builder.Configuration) is { } storageProblem)
{
    await Console.Error.WriteLineAsync(storageProblem);
    return 2;
}

builder.AddServiceDefaults();
// On SIGTERM: refuse new work, release the component link, let uploads in flight finish (Node:DrainTimeout).
builder.Services.AddNodeDrain(builder.Configuration);
// Storage and the key loader work in StartingAsync, which the host runs for every service before any StartAsync:
// the ledger is migrated, staged files are removed and the keys are loaded before the component link or Kestrel
// take a request.
builder.Services.AddConfiguredStorage(builder.Configuration);
builder.Services.AddStorageTelemetry();
builder.Services.AddSlotServices();
builder.Services.AddUploadEndpoints();
builder.Services.AddXmppComponent();
builder.Services.AddClusterOptions();
builder.Services.AddSweeper();
builder.Services.AddNodeHealthChecks();
// XEP-0129 WebDAV with XEP-0070 verification: the endpoint, its authenticator, and the disco features that say so.
builder.Services.AddWebDav();
builder.Services.AddDavAuthentication();
builder.Services.AddWebDavConventions(builder.Configuration);

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

app.UseDrainGate();
app.MapDefaultEndpoints();
app.MapUploadEndpoints();
app.MapWebDav();
await app.RunAsync();
return 0;
