using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Vod.ServiceDefaults.Tls;

/// <summary>
/// The certificate the service's HTTPS listeners present, loaded from PEM files and loaded again when they change:
/// a renewal (certbot, cert-manager swapping a Kubernetes secret's files) takes effect on the next handshake without a
/// restart. The files are compared every <see cref="TlsOptions.ReloadInterval"/> on a timer, never on a handshake; a
/// pair that does not load (half written, a key that does not match) leaves the previous certificate in place.
/// </summary>
public sealed partial class ServerCertificate : IDisposable
{
    private readonly TlsOptions _options;
    private readonly ILogger<ServerCertificate> _logger;
    private readonly ITimer _timer;
    private readonly Lock _reloading = new();
    private byte[] _certificateBytes = [];
    private byte[] _keyBytes = [];
    private (byte[] Certificate, byte[] Key) _failed = ([], []);
    private volatile SslServerAuthenticationOptions _current;

    public ServerCertificate(IOptions<TlsOptions> options, ILogger<ServerCertificate> logger, TimeProvider time)
    {
        _options = options.Value;
        _logger = logger;
        if (!_options.Enabled)
        {
            throw new InvalidOperationException("An https:// URL needs a certificate: set Tls:CertificatePath and Tls:KeyPath (PEM files)");
        }

        var (certificate, key) = ReadFiles();
        try
        {
            _current = Load(certificate, key);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"Tls:CertificatePath '{_options.CertificatePath}' and Tls:KeyPath '{_options.KeyPath}' do not load as a PEM certificate and its key: {e.Message}", e);
        }

        (_certificateBytes, _keyBytes) = (certificate, key);
        _timer = time.CreateTimer(_ => Reload(), null, _options.ReloadInterval, _options.ReloadInterval);
    }

    /// <summary>The subject and expiry of the certificate being presented now.</summary>
    public X509Certificate2 Certificate => _current.ServerCertificateContext!.TargetCertificate;

    /// <summary>Kestrel's per-connection callback: the same prepared options for every handshake until a reload.</summary>
    public TlsHandshakeCallbackOptions HandshakeOptions() => new()
    {
        OnConnection = _ => ValueTask.FromResult(_current),
        HandshakeTimeout = _options.HandshakeTimeout,
    };

    /// <summary>Reads the files and swaps the certificate in when they changed. Runs on the timer; public for tests.</summary>
    public void Reload()
    {
        lock (_reloading)
        {
            byte[] certificate, key;
            try
            {
                (certificate, key) = ReadFiles();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.Unreadable(_logger, e.Message);
                return;
            }

            if ((certificate.AsSpan().SequenceEqual(_certificateBytes) && key.AsSpan().SequenceEqual(_keyBytes))
                || (certificate.AsSpan().SequenceEqual(_failed.Certificate) && key.AsSpan().SequenceEqual(_failed.Key)))
            {
                return; // nothing new since the last load, or since the last pair that did not load (said once)
            }

            try
            {
                _current = Load(certificate, key);
                (_certificateBytes, _keyBytes) = (certificate, key);
                Log.Reloaded(_logger, Certificate.Subject, Certificate.NotAfter);
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                // Most often a renewal caught between writing the certificate and writing its key: the next check sees both.
                _failed = (certificate, key);
                Log.NotLoaded(_logger, e.Message);
            }
        }
    }

    private (byte[] Certificate, byte[] Key) ReadFiles() => (File.ReadAllBytes(_options.CertificatePath!), File.ReadAllBytes(_options.KeyPath!));

    /// <summary>
    /// Builds what every handshake uses: the leaf with its key, the intermediates sent with it (a context built once, as
    /// Kestrel does for a fixed certificate; building a chain per handshake is what makes a certificate selector slow),
    /// TLS 1.2 and 1.3 only, and ALPN with HTTP/2 first.
    /// </summary>
    internal static SslServerAuthenticationOptions Load(ReadOnlySpan<byte> certificatePem, ReadOnlySpan<byte> keyPem)
    {
        var certificateText = System.Text.Encoding.ASCII.GetString(certificatePem);
        var leaf = X509Certificate2.CreateFromPem(certificateText, System.Text.Encoding.ASCII.GetString(keyPem));
        var all = new X509Certificate2Collection();
        all.ImportFromPem(certificateText);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all)
        {
            if (certificate.Thumbprint != leaf.Thumbprint)
            {
                intermediates.Add(certificate);
            }
        }

        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(leaf, intermediates, offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowRenegotiation = false,
        };
    }

    public void Dispose() => _timer.Dispose();

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "TLS certificate reloaded: {Subject}, valid until {NotAfter:u}")]
        public static partial void Reloaded(ILogger logger, string subject, DateTime notAfter);

        [LoggerMessage(2, LogLevel.Warning, "TLS certificate files changed but do not load yet ({Reason}); the previous certificate stays in use")]
        public static partial void NotLoaded(ILogger logger, string reason);

        [LoggerMessage(3, LogLevel.Warning, "TLS certificate files could not be read ({Reason}); the previous certificate stays in use")]
        public static partial void Unreadable(ILogger logger, string reason);
    }
}
