using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace XmppUpload.ServiceDefaults.Telemetry;

/// <summary>
/// The tracer and meter providers of the host, built from the SDK's builders (the hosting package that would do it is
/// not available). They are made in <see cref="StartingAsync"/>, before the services registered after them start, so
/// that the first connections are traced too; the container disposes them after every service has stopped, which
/// flushes what is left.
/// </summary>
internal sealed class TelemetryProviders(TelemetrySettings settings) : IHostedLifecycleService, IDisposable
{
    private TracerProvider? _tracerProvider;
    private MeterProvider? _meterProvider;

    /// <summary>The resource every signal carries: service name and stable instance id, then the SDK's and the environment's attributes.</summary>
    public static ResourceBuilder Resource(TelemetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // The environment detector comes last so that OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME override the
        // defaults, as the specification of those variables says.
        return ResourceBuilder.CreateEmpty()
            .AddService(settings.ServiceName, serviceInstanceId: settings.ServiceInstanceId, autoGenerateServiceInstanceId: false)
            .AddAttributes([new KeyValuePair<string, object>("host.name", Environment.MachineName)])
            .AddTelemetrySdk()
            .AddEnvironmentVariableDetector();
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (!settings.Export || _tracerProvider is not null)
        {
            // With no endpoint nothing listens, so the service's activity sources and instruments cost nothing.
            return Task.CompletedTask;
        }

        var resource = Resource(settings);
        var tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource);
        foreach (var source in TelemetrySources.ActivitySources)
        {
            tracing.AddSource(source);
        }

        // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS and the per-signal variables itself.
        _tracerProvider = tracing.AddOtlpExporter().Build();

        var metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource);
        foreach (var meter in TelemetrySources.Meters)
        {
            metrics.AddMeter(meter);
        }

        _meterProvider = metrics.AddOtlpExporter().Build();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        // Dispose shuts the providers down, which exports what is still batched.
        _meterProvider?.Dispose();
        _tracerProvider?.Dispose();
    }
}
