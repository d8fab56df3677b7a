using System.ComponentModel.DataAnnotations;
using StackExchange.Redis;

namespace Vod.ServiceDefaults;

public sealed class RedisOptions : IValidatableObject
{
    public const string Section = "Redis";

    /// <summary>
    /// A StackExchange.Redis configuration string (hosts, password=, user=, ssl=true, ...). With Sentinels, list them
    /// and name the service: <c>127.0.0.1:26380,127.0.0.1:26381,127.0.0.1:26382,serviceName=vod</c>. For a Redis
    /// Cluster, list some of its nodes without <c>serviceName=</c> (<c>10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379</c>):
    /// the library learns the rest of the cluster and its slot map from them.
    /// </summary>
    [Required]
    public string Configuration { get; set; } = "127.0.0.1:6380";

    /// <summary>Overrides the configuration string's password (keeps the secret out of the connection string).</summary>
    public string? Password { get; set; }

    /// <summary>An ACL user name (Redis 6+), overriding the configuration string's <c>user=</c>.</summary>
    public string? User { get; set; }

    /// <summary>
    /// The Sentinels' own password (their <c>requirepass</c>), when the configuration names Sentinels. Sentinels and
    /// data nodes have separate credentials: <see cref="User"/>/<see cref="Password"/> are for the data nodes only.
    /// </summary>
    public string? SentinelPassword { get; set; }

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

        // No CLIENT SETINFO on connect (Redis 7.2+): one command fewer that a least-privilege ACL user must be granted.
        config.SetClientLibrary = false;
        if (!string.IsNullOrEmpty(config.User) && config.CommandMap == CommandMap.Default)
        {
            // An ACL user is granted only what its service uses (scripts/redis-acl.sh). Leave out what the library would
            // otherwise try on connect for features no service uses: CONFIG GET (which would also show masterauth),
            // the tie-breaker key and the reconfiguration channel. Each would be refused and logged as an ACL denial.
            config.CommandMap = CommandMap.Create(new HashSet<string> { "CONFIG" }, available: false);
            config.TieBreaker = "";
            config.ConfigurationChannel = "";
        }

        config.AbortOnConnectFail = false;
        // StackExchange.Redis takes its timeouts in whole milliseconds.
        var timeout = (int)Timeout.TotalMilliseconds;
        config.ConnectTimeout = timeout;
        config.SyncTimeout = timeout;
        config.AsyncTimeout = timeout;
        config.ConnectRetry = 1;
        // Reconnect within about a second after Redis comes back (the default backs off exponentially).
        config.ReconnectRetryPolicy = new LinearRetry(1000);
        return config;
    }

    /// <summary>Connect, sync and async timeouts. Short, so a dead Redis never holds a request for long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

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
