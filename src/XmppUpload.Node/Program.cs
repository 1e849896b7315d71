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
// Order matters: hosted services start in registration order, and the storage must be ready (migrations applied,
// staged files removed) before the keys are loaded and before the component link takes slot requests.
builder.Services.AddEmbeddedStorage();
builder.Services.AddSlotServices();
builder.Services.AddUploadEndpoints();
builder.Services.AddXmppComponent();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapUploadEndpoints();

try
{
    await app.RunAsync();
    return 0;
}
catch (Microsoft.Extensions.Options.OptionsValidationException exception)
{
    // One line per invalid key, naming what to set, instead of a stack trace.
    foreach (var failure in exception.Failures)
    {
        await Console.Error.WriteLineAsync(failure);
    }

    return 2;
}
