using Microsoft.AspNetCore.Builder;

namespace XmppUpload.Http.Draining;

/// <summary>Adds the drain gate (see <see cref="DrainMiddleware"/>) in front of the upload and WebDAV endpoints.</summary>
public static class DrainApplicationBuilderExtensions
{
    /// <summary>Needs <see cref="Core.Lifecycle.NodeDrain"/> in the container.</summary>
    public static IApplicationBuilder UseDrainGate(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<DrainMiddleware>();
    }
}
