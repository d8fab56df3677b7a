using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Vod.ServiceDefaults;

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
            // Sentinels and serviceName= in the configuration: follow the primary through failovers (SentinelConnection);
            // else one server or a Redis Cluster (any number of nodes listed), which the library follows by itself:
            // it discovers the cluster's nodes and slot map and routes each command to the node of its key's slot.
            var options = sp.GetRequiredService<IOptions<RedisOptions>>().Value;
            var config = options.ToConfigurationOptions();
            return SentinelConnection.IsSentinel(config)
                ? SentinelConnection.Connect(config, sp.GetRequiredService<ILoggerFactory>().CreateLogger<SentinelConnection>(), options.SentinelPassword).Multiplexer
                : ConnectionMultiplexer.Connect(config);
        });
        // Where Redis is optional, its loss shows on /readyz as Degraded (still 200), not Unhealthy.
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis",
            failureStatus: requiredForReady ? HealthStatus.Unhealthy : HealthStatus.Degraded, tags: [HostingDefaults.ReadyTag]);
        return services;
    }

    private sealed class RedisHealthCheck(IConnectionMultiplexer redis, IOptions<RedisOptions> options) : IHealthCheck
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
                var reason = await DiagnoseAsync() ?? "redis unreachable: " + e.Message;
                return new HealthCheckResult(context.Registration.FailureStatus, reason);
            }
        }

        /// <summary>
        /// The shared multiplexer keeps retrying quietly, so a failed ping says little. One short-lived connection that
        /// fails fast tells refused credentials (a configuration error an operator must fix) from a server that is down.
        /// Only on the failure path; the password is never part of the message.
        /// </summary>
        private async Task<string?> DiagnoseAsync()
        {
            var config = options.Value.ToConfigurationOptions();
            config.AbortOnConnectFail = true;
            config.ConnectRetry = 0;
            try
            {
                await using var probe = await ConnectionMultiplexer.ConnectAsync(config);
                return null;
            }
            catch (RedisConnectionException e) when (IsTlsFailure(e))
            {
                return "redis TLS handshake failed: check Redis:CaCertificate, Redis:SslHost and Redis:ClientCertificate ("
                    + e.Message + ")";
            }
            catch (RedisConnectionException e) when (e.FailureType == ConnectionFailureType.AuthenticationFailure
                || e.Message.Contains("WRONGPASS", StringComparison.Ordinal) || e.Message.Contains("NOAUTH", StringComparison.Ordinal))
            {
                return "redis refused the credentials: check Redis:Password / Redis:User (or password= / user= in Redis:Configuration)";
            }
            catch (RedisException e)
            {
                return "redis unreachable: " + e.Message;
            }
        }

        /// <summary>The library reports a rejected certificate as an authentication failure too; its cause tells them apart.</summary>
        private static bool IsTlsFailure(Exception e)
        {
            for (Exception? cause = e; cause is not null; cause = cause.InnerException)
            {
                if (cause is System.Security.Authentication.AuthenticationException)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
