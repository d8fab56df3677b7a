using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Vod.Common.Tests.Hosting;

/// <summary>
/// Certificates made in process (ECDSA P-256), as a private PKI would issue them: a root authority, an intermediate it
/// signs, and server leaves the intermediate signs, written as PEM files the way <c>Tls:CertificatePath</c> (leaf, then
/// intermediates), <c>Tls:KeyPath</c> and <c>Tls:CaFile</c> expect them.
/// </summary>
internal sealed class TestAuthority : IDisposable
{
    private TestAuthority(X509Certificate2 root, X509Certificate2 intermediate)
    {
        Root = root;
        Intermediate = intermediate;
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    public static TestAuthority Create(string name)
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest($"CN={name} root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        var root = rootRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest($"CN={name} intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        intermediateRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediateRequest.PublicKey, false));
        intermediateRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        using var intermediatePublic = intermediateRequest.Create(root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMonths(6), Serial());
        var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);
        return new TestAuthority(root, intermediate);
    }

    /// <summary>A server certificate for <paramref name="names"/> (DNS names or IP addresses), with its private key.</summary>
    public X509Certificate2 IssueLeaf(params string[] names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        var alternatives = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                alternatives.AddIpAddress(address);
            }
            else
            {
                alternatives.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(alternatives.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Intermediate, true, false));
        using var leaf = request.Create(Intermediate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), Serial());
        return leaf.CopyWithPrivateKey(key);
    }

    /// <summary>Writes the root as a <c>Tls:CaFile</c> and returns its path.</summary>
    public string WriteCaFile(string directory)
    {
        var path = Path.Combine(directory, $"ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, Root.ExportCertificatePem());
        return path;
    }

    /// <summary>
    /// Writes <paramref name="leaf"/> followed by the intermediate to <paramref name="certificatePath"/> and its key to
    /// <paramref name="keyPath"/> (PKCS#8 PEM), replacing what was there.
    /// </summary>
    public void WritePair(X509Certificate2 leaf, string certificatePath, string keyPath)
    {
        WriteChain(leaf, certificatePath);
        WriteKey(leaf, keyPath);
    }

    public void WriteChain(X509Certificate2 leaf, string certificatePath) =>
        File.WriteAllText(certificatePath, leaf.ExportCertificatePem() + "\n" + Intermediate.ExportCertificatePem() + "\n");

    public static void WriteKey(X509Certificate2 leaf, string keyPath)
    {
        using var key = leaf.GetECDsaPrivateKey()!;
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        Root.Dispose();
        Intermediate.Dispose();
    }

    private static byte[] Serial() => RandomNumberGenerator.GetBytes(16);
}
