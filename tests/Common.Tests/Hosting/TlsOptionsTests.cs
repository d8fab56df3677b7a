using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vod.ServiceDefaults;
using Vod.ServiceDefaults.Tls;

namespace Vod.Common.Tests.Hosting;

public sealed class TlsOptionsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string File(string name)
    {
        var path = Path.Combine(_directory.Path, name);
        System.IO.File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        return path;
    }

    private static List<string> Validate(TlsOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage ?? "")];
    }

    [Fact]
    public void Validate_Defaults_AreValidAndTlsIsOff()
    {
        var options = new TlsOptions();

        Assert.Empty(Validate(options));
        Assert.False(options.Enabled);
        Assert.Equal(TimeSpan.FromDays(365), options.HstsMaxAge);
    }

    [Fact]
    public void Validate_CertificateWithoutKey_IsAnError()
    {
        var errors = Validate(new TlsOptions { CertificatePath = File("cert.pem") });

        Assert.Contains(errors, e => e.Contains("go together", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_KeyWithoutCertificate_IsAnError()
    {
        var options = new TlsOptions { KeyPath = File("key.pem") };

        Assert.Contains(Validate(options), e => e.Contains("go together", StringComparison.Ordinal));
        Assert.False(options.Enabled);
    }

    [Fact]
    public void Validate_CertificateKeyAndCaThatExist_AreValid()
    {
        using var authority = TestAuthority.Create("options");
        var options = new TlsOptions { CertificatePath = File("cert.pem"), KeyPath = File("key.pem"), CaFile = authority.WriteCaFile(_directory.Path) };

        Assert.Empty(Validate(options));
        Assert.True(options.Enabled);
    }

    [Fact]
    public void Validate_CaFileWithoutACertificate_IsAnError()
    {
        var ca = Path.Combine(_directory.Path, "empty-ca.pem");
        System.IO.File.WriteAllText(ca, "not a certificate\n");

        Assert.Contains($"Tls:CaFile: '{ca}' holds no PEM certificate", Validate(new TlsOptions { CaFile = ca }));
    }

    [Fact]
    public void Validate_FilesThatDoNotExist_NameTheSettingAndThePath()
    {
        var missing = Path.Combine(_directory.Path, "missing");

        var errors = Validate(new TlsOptions { CertificatePath = missing + ".crt", KeyPath = missing + ".key", CaFile = missing + "-ca.pem" });

        Assert.Contains($"Tls:CertificatePath: no file at '{missing}.crt'", errors);
        Assert.Contains($"Tls:KeyPath: no file at '{missing}.key'", errors);
        Assert.Contains($"Tls:CaFile: no file at '{missing}-ca.pem'", errors);
    }

    [Theory]
    [InlineData("ReloadInterval", "00:00:00")]
    [InlineData("HandshakeTimeout", "00:00:00")]
    [InlineData("HstsMaxAge", "-00:00:01")]
    public void Bind_OutOfRangeTimes_FailValidation(string setting, string value)
    {
        var e = Assert.Throws<OptionsValidationException>(() => Bind(new() { [$"Tls:{setting}"] = value }).Value);

        Assert.Contains(setting, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ZeroHstsMaxAge_IsValid()
    {
        Assert.Equal(TimeSpan.Zero, Bind(new() { ["Tls:HstsMaxAge"] = "00:00:00" }).Value.HstsMaxAge);
    }

    private static IOptions<TlsOptions> Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddValidatedOptions<TlsOptions>(configuration, TlsOptions.Section);
        return services.BuildServiceProvider().GetRequiredService<IOptions<TlsOptions>>();
    }
}
