using Microsoft.Extensions.Diagnostics.HealthChecks;
using Vod.Common.Catalog;

namespace Vod.Origin.Media;

/// <summary>Ready only when the media root is there and writable (uploads and catalog writes need it).</summary>
internal sealed class MediaStoreHealthCheck(MediaStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var probe = Path.Combine(store.Uploads, $".ready-{Guid.NewGuid():N}");
        try
        {
            await File.WriteAllBytesAsync(probe, [1], cancellationToken);
            return HealthCheckResult.Healthy(store.Root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"media store {store.Root} is not writable: {e.Message}");
        }
        finally
        {
            File.Delete(probe);
        }
    }
}
