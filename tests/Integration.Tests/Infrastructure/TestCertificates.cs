using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// A private certificate authority made at test time, with a server certificate for 127.0.0.1/localhost and a client
/// certificate it signed, written as PEM files (certificates and PKCS#8 keys) into a temporary directory. It can issue
/// more server certificates (a renewal to swap in) and make HTTP clients that trust it.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly X509Certificate2 _ca;
    private int _serial = 3;

    private TestCertificates(string directory, X509Certificate2 ca)
    {
        Directory = directory;
        _ca = ca;
    }

    public string Directory { get; }

    public string CaCertificate => Path.Combine(Directory, "ca.pem");

    public string ServerCertificate => Path.Combine(Directory, "server.pem");

    public string ServerKey => Path.Combine(Directory, "server.key");

    public string ClientCertificate => Path.Combine(Directory, "client.pem");

    public string ClientKey => Path.Combine(Directory, "client.key");

    public static TestCertificates Create()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("vod-tls-").FullName;
        var now = DateTimeOffset.UtcNow;

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=vod test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var certificates = new TestCertificates(directory, caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1)));
        File.WriteAllText(certificates.CaCertificate, certificates._ca.ExportCertificatePem());

        certificates.Issue("CN=127.0.0.1", "1.3.6.1.5.5.7.3.1", certificates.ServerCertificate, certificates.ServerKey, serial: 2).Dispose();
        certificates.Issue("CN=vod client", "1.3.6.1.5.5.7.3.2", certificates.ClientCertificate, certificates.ClientKey, serial: 3).Dispose();
        return certificates;
    }

    /// <summary>
    /// Another server certificate for 127.0.0.1/localhost from the same authority (a new key, serial and subject, as a
    /// renewal brings), written to <c>{name}.pem</c> and <c>{name}.key</c> in <see cref="Directory"/>.
    /// </summary>
    public ServerPair IssueServer(string name)
    {
        var serial = (byte)Interlocked.Increment(ref _serial);
        var pair = new ServerPair(Path.Combine(Directory, name + ".pem"), Path.Combine(Directory, name + ".key"), "");
        using var certificate = Issue($"CN=127.0.0.1 {name}", "1.3.6.1.5.5.7.3.1", pair.CertificatePath, pair.KeyPath, serial);
        return pair with { Thumbprint = certificate.Thumbprint };
    }

    /// <summary>The thumbprint of the first certificate in a PEM file.</summary>
    public static string ThumbprintOf(string certificatePath)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
        return certificate.Thumbprint;
    }

    /// <summary>True when <paramref name="certificate"/> chains to this authority (the host name is checked apart).</summary>
    public bool Trusts(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>
    /// A handler that trusts this authority only (the name must match too), and tells <paramref name="presented"/> the
    /// certificate of each new connection's handshake.
    /// </summary>
    public SocketsHttpHandler TrustingHandler(Action<X509Certificate2>? presented = null) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is not X509Certificate2 server)
                {
                    return false;
                }

                presented?.Invoke(server);
                return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && Trusts(server);
            },
        },
    };

    /// <summary>An HTTP client over <see cref="TrustingHandler"/>.</summary>
    public HttpClient NewHttpClient(Action<X509Certificate2>? presented = null) =>
        new(TrustingHandler(presented)) { Timeout = TimeSpan.FromSeconds(30) };

    private X509Certificate2 Issue(string subject, string usageOid, string certificatePath, string keyPath, byte serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.Create(_ca, _ca.NotBefore, _ca.NotAfter, [serial]); // no longer than its issuer's
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return certificate;
    }

    public void Dispose()
    {
        _ca.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>A server certificate and its key as PEM files, and the certificate's thumbprint.</summary>
public sealed record ServerPair(string CertificatePath, string KeyPath, string Thumbprint);
