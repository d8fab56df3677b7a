using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Vod.Common.Hosting;

public sealed class RedisOptions : IValidatableObject
{
    public const string Section = "Redis";

    /// <summary>
    /// A StackExchange.Redis configuration string (hosts, password=, user=, ssl=true, ...). With Sentinels, list them
    /// and name the service: <c>127.0.0.1:26380,127.0.0.1:26381,127.0.0.1:26382,serviceName=vod</c>.
    /// </summary>
    [Required]
    public string Configuration { get; set; } = "127.0.0.1:6380";

    /// <summary>Overrides the configuration string's password (keeps the secret out of the connection string).</summary>
    public string? Password { get; set; }

    /// <summary>An ACL user name (Redis 6+), overriding the configuration string's <c>user=</c>.</summary>
    public string? User { get; set; }

    /// <summary>TLS to Redis, overriding the configuration string's <c>ssl=</c>.</summary>
    public bool? Ssl { get; set; }

    /// <summary>The server name the TLS certificate must match, when it differs from the host name used.</summary>
    public string? SslHost { get; set; }

    /// <summary>
    /// A PEM file with the certificate authority that signed the Redis server's certificate, for a server whose
    /// certificate this machine does not trust by itself (a private CA). The server's name must still match. Turns TLS on.
    /// </summary>
    public string? CaCertificate { get; set; }

    /// <summary>
    /// A PEM client certificate, for a Redis that asks for one (redis-server's <c>tls-auth-clients</c>, on by default),
    /// with its PEM private key in <see cref="ClientKey"/>. Turns TLS on.
    /// </summary>
    public string? ClientCertificate { get; set; }

    /// <summary>The PEM private key of <see cref="ClientCertificate"/>.</summary>
    public string? ClientKey { get; set; }

    /// <summary>The connection settings: the string parsed by StackExchange.Redis, then the explicit settings on top.</summary>
    public ConfigurationOptions ToConfigurationOptions()
    {
        var config = ConfigurationOptions.Parse(Configuration);
        if (!string.IsNullOrEmpty(Password))
        {
            config.Password = Password;
        }

        if (!string.IsNullOrEmpty(User))
        {
            config.User = User;
        }

        if (Ssl is { } ssl)
        {
            config.Ssl = ssl;
        }

        if (!string.IsNullOrEmpty(SslHost))
        {
            config.SslHost = SslHost;
        }

        if (!string.IsNullOrEmpty(CaCertificate))
        {
            config.TrustIssuer(CaCertificate);
            config.Ssl = true;
        }

        if (!string.IsNullOrEmpty(ClientCertificate))
        {
            config.SetUserPemCertificate(ClientCertificate, ClientKey);
            config.Ssl = true;
        }

        config.AbortOnConnectFail = false;
        config.ConnectTimeout = TimeoutMilliseconds;
        config.SyncTimeout = TimeoutMilliseconds;
        config.AsyncTimeout = TimeoutMilliseconds;
        config.ConnectRetry = 1;
        // Reconnect within about a second after Redis comes back (the default backs off exponentially).
        config.ReconnectRetryPolicy = new LinearRetry(1000);
        return config;
    }

    /// <summary>Connect, sync and async timeouts. Short, so a dead Redis never holds a request for long.</summary>
    [Range(100, 60_000)]
    public int TimeoutMilliseconds { get; set; } = 2000;

    /// <summary>A certificate file that is missing, or TLS files with TLS turned off, stop the service at start.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, path) in new[] { (nameof(CaCertificate), CaCertificate), (nameof(ClientCertificate), ClientCertificate), (nameof(ClientKey), ClientKey) })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                yield return new ValidationResult($"Redis:{name}: no file at '{path}'", [name]);
            }
        }

        if (string.IsNullOrEmpty(ClientCertificate) != string.IsNullOrEmpty(ClientKey))
        {
            yield return new ValidationResult("Redis:ClientCertificate and Redis:ClientKey go together: set both or neither",
                [nameof(ClientCertificate), nameof(ClientKey)]);
        }

        if (Ssl == false && (!string.IsNullOrEmpty(CaCertificate) || !string.IsNullOrEmpty(ClientCertificate)))
        {
            yield return new ValidationResult("Redis:Ssl is false, but Redis:CaCertificate or Redis:ClientCertificate is set: they need TLS",
                [nameof(Ssl)]);
        }
    }
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
            // Sentinels and serviceName= in the configuration: follow the primary through failovers (SentinelConnection);
            // else one server (or a cluster), which the library reconnects to by itself.
            var config = sp.GetRequiredService<IOptions<RedisOptions>>().Value.ToConfigurationOptions();
            return SentinelConnection.IsSentinel(config)
                ? SentinelConnection.Connect(config, sp.GetRequiredService<ILoggerFactory>().CreateLogger<SentinelConnection>()).Multiplexer
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
