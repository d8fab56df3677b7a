using System.ComponentModel.DataAnnotations;

namespace Vod.ServiceDefaults.Tls;

/// <summary>
/// TLS for a service's public listeners (<c>Tls:CertificatePath</c>, <c>Tls:KeyPath</c>) and the certificate
/// authority it trusts for its own HTTPS calls (<c>Tls:CaFile</c>). With a certificate set, every <c>https://</c> URL the
/// service binds serves TLS 1.2 and 1.3 with HTTP/2 and HTTP/1.1 offered by ALPN; <c>http://</c> URLs stay plain.
/// </summary>
public sealed class TlsOptions : IValidatableObject
{
    public const string Section = "Tls";

    /// <summary>PEM certificate, the leaf first, then any intermediates. Re-read when the file changes.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key (unencrypted) of the certificate.</summary>
    public string? KeyPath { get; set; }

    /// <summary>
    /// PEM certificate(s) of an authority the service trusts for its outbound HTTPS (an edge's fills and probes of
    /// its origins, an origin's probes of edges), besides the system's store: a root, not only an intermediate.
    /// Empty: the system's store only.
    /// </summary>
    public string? CaFile { get; set; }

    /// <summary>How often the certificate and key files are checked for a change (a renewal, a swap).</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// <c>Strict-Transport-Security</c> max-age on the origin's answers over HTTPS (its pages). Zero sends none.
    /// </summary>
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>How long a client may take over its handshake before the connection is closed.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);

    private static bool HoldsACertificate(string path)
    {
        var certificates = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }

        return certificates.Count > 0;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(CertificatePath) != string.IsNullOrWhiteSpace(KeyPath))
        {
            yield return new ValidationResult("Tls:CertificatePath and Tls:KeyPath go together: set both or neither",
                [nameof(CertificatePath), nameof(KeyPath)]);
        }

        foreach (var (name, path) in new[] { (nameof(CertificatePath), CertificatePath), (nameof(KeyPath), KeyPath), (nameof(CaFile), CaFile) })
        {
            if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
            {
                yield return new ValidationResult($"Tls:{name}: no file at '{path}'", [name]);
            }
        }

        if (!string.IsNullOrWhiteSpace(CaFile) && File.Exists(CaFile) && !HoldsACertificate(CaFile))
        {
            yield return new ValidationResult($"Tls:CaFile: '{CaFile}' holds no PEM certificate", [nameof(CaFile)]);
        }

        if (ReloadInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Tls:ReloadInterval must be positive", [nameof(ReloadInterval)]);
        }

        if (HstsMaxAge < TimeSpan.Zero || HandshakeTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Tls:HstsMaxAge must not be negative and Tls:HandshakeTimeout must be positive",
                [nameof(HstsMaxAge), nameof(HandshakeTimeout)]);
        }
    }
}
