using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Vod.ServiceDefaults.Tls;

/// <summary>
/// Lets a service's HTTPS calls trust the authority in <c>Tls:CaFile</c> (a private CA, as <c>VOD_TLS=1 ./run.sh</c>
/// makes) besides the system's store. The host name is still checked, and a certificate the system already trusts
/// passes as before.
/// </summary>
public static class OutboundTrust
{
    public static SocketsHttpHandler TrustingCaFile(this SocketsHttpHandler handler, TlsOptions tls)
    {
        if (string.IsNullOrWhiteSpace(tls.CaFile))
        {
            return handler;
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(tls.CaFile);
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            errors == SslPolicyErrors.None
            || (errors == SslPolicyErrors.RemoteCertificateChainErrors && certificate is not null && ChainsTo(roots, certificate, chain));
        return handler;
    }

    private static bool ChainsTo(X509Certificate2Collection roots, X509Certificate certificate, X509Chain? presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
