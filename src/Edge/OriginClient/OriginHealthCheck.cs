using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Vod.Edge.OriginClient;

/// <summary>
/// An edge is ready while at least one of its origins answers <c>/healthz</c> (the pool's active probe); without any
/// origin it can only serve what it holds.
/// </summary>
internal sealed class OriginHealthCheck(OriginPool origins) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (anyUp, description) = origins.Describe();
        return Task.FromResult(anyUp ? HealthCheckResult.Healthy(description) : HealthCheckResult.Unhealthy("no origin answers: " + description));
    }
}
