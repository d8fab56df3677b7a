using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Vod.Edge.OriginClient;

/// <summary>An edge is ready when its origin answers <c>/healthz</c>; without the origin it can only serve what it holds.</summary>
internal sealed class OriginHealthCheck(IHttpClientFactory clients) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var response = await clients.CreateClient(nameof(OriginHttpClient)).GetAsync("/healthz", timeout.Token);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"origin /healthz answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("origin unreachable: " + e.Message);
        }
    }
}
