using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Vod.Common.Hosting;

public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string (hosts, password, ssl=true, user=...).</summary>
    [Required]
    public string Configuration { get; set; } = "127.0.0.1:6380";

    /// <summary>Connect, sync and async timeouts. Short, so a dead Redis never holds a request for long.</summary>
    [Range(100, 60_000)]
    public int TimeoutMilliseconds { get; set; } = 2000;
}

public static class RedisConnection
{
    /// <summary>
    /// Registers one shared <see cref="IConnectionMultiplexer"/>. It does not abort when Redis is down at start-up:
    /// the multiplexer keeps reconnecting in the background and each service decides what a failed command means.
    /// </summary>
    /// <param name="requiredForReady">Whether <c>/readyz</c> fails while Redis is down; if not, it reports Degraded (an edge serves without Redis).</param>
    public static IServiceCollection AddRedis(this IServiceCollection services, IConfiguration configuration, bool requiredForReady = true)
    {
        services.AddValidatedOptions<RedisOptions>(configuration, RedisOptions.Section);
        services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RedisOptions>>().Value;
            var config = ConfigurationOptions.Parse(options.Configuration);
            config.AbortOnConnectFail = false;
            config.ConnectTimeout = options.TimeoutMilliseconds;
            config.SyncTimeout = options.TimeoutMilliseconds;
            config.AsyncTimeout = options.TimeoutMilliseconds;
            config.ConnectRetry = 1;
            // Reconnect within about a second after Redis comes back (the default backs off exponentially).
            config.ReconnectRetryPolicy = new LinearRetry(1000);
            return ConnectionMultiplexer.Connect(config);
        });
        // Where Redis is optional, its loss shows on /readyz as Degraded (still 200), not Unhealthy.
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis",
            failureStatus: requiredForReady ? HealthStatus.Unhealthy : HealthStatus.Degraded, tags: [HostingDefaults.ReadyTag]);
        return services;
    }

    private sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var latency = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
                return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:0.0} ms");
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "redis unreachable: " + e.Message);
            }
        }
    }
}
