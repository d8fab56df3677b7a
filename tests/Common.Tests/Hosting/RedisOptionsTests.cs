using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vod.ServiceDefaults;

namespace Vod.Common.Tests.Hosting;

public sealed class RedisOptionsTests
{
    [Fact]
    public void ToConfigurationOptions_ConnectionString_KeepsPasswordUserAndTls()
    {
        var config = new RedisOptions { Configuration = "redis.internal:6380,password=s3cret,user=vod,ssl=true,sslHost=redis.example" }.ToConfigurationOptions();

        Assert.Equal("s3cret", config.Password);
        Assert.Equal("vod", config.User);
        Assert.True(config.Ssl);
        Assert.Equal("redis.example", config.SslHost);
        Assert.False(config.AbortOnConnectFail);
    }

    [Fact]
    public void ToConfigurationOptions_ExplicitSettings_OverrideTheString()
    {
        var config = new RedisOptions
        {
            Configuration = "127.0.0.1:6380,password=old,ssl=false",
            Password = "new",
            User = "acl-user",
            Ssl = true,
            Timeout = TimeSpan.FromMilliseconds(750),
        }.ToConfigurationOptions();

        Assert.Equal("new", config.Password);
        Assert.Equal("acl-user", config.User);
        Assert.True(config.Ssl);
        Assert.Equal(750, config.ConnectTimeout);
        Assert.Equal(750, config.AsyncTimeout);
    }

    [Fact]
    public void ToConfigurationOptions_NoCredentials_LeavesThemUnset()
    {
        var config = new RedisOptions { Configuration = "127.0.0.1:6380" }.ToConfigurationOptions();

        Assert.Null(config.Password);
        Assert.Null(config.User);
        Assert.False(config.Ssl);
    }

    [Fact]
    public void Validate_CertificateFilesThatDoNotExist_NameTheSettingAndThePath()
    {
        var errors = Validate(new RedisOptions { CaCertificate = "/nowhere/ca.pem", ClientCertificate = "/nowhere/client.pem", ClientKey = "/nowhere/client.key" });

        Assert.Contains("Redis:CaCertificate: no file at '/nowhere/ca.pem'", errors);
        Assert.Contains("Redis:ClientCertificate: no file at '/nowhere/client.pem'", errors);
        Assert.Contains("Redis:ClientKey: no file at '/nowhere/client.key'", errors);
    }

    [Fact]
    public void Validate_ClientCertificateWithoutKey_OrTlsFilesWithTlsOff_AreErrors()
    {
        var pem = Path.GetTempFileName();
        try
        {
            Assert.Contains(Validate(new RedisOptions { ClientCertificate = pem }), e => e.Contains("go together", StringComparison.Ordinal));
            Assert.Contains(Validate(new RedisOptions { CaCertificate = pem, Ssl = false }), e => e.Contains("Redis:Ssl is false", StringComparison.Ordinal));
            Assert.Empty(Validate(new RedisOptions { CaCertificate = pem, ClientCertificate = pem, ClientKey = pem }));
            Assert.Empty(Validate(new RedisOptions()));
        }
        finally
        {
            File.Delete(pem);
        }
    }

    [Fact]
    public void ToConfigurationOptions_CaCertificate_TurnsTlsOn()
    {
        var ca = WriteSelfSignedPem();
        try
        {
            var config = new RedisOptions { Configuration = "127.0.0.1:6380", CaCertificate = ca }.ToConfigurationOptions();

            Assert.True(config.Ssl);
        }
        finally
        {
            File.Delete(ca);
        }
    }

    [Fact]
    public void Timeout_TimeSpanSetting_BindsAndFeedsMilliseconds()
    {
        var options = Bind("00:00:00.750");

        Assert.Equal(TimeSpan.FromMilliseconds(750), options.Value.Timeout);
        Assert.Equal(750, options.Value.ToConfigurationOptions().SyncTimeout);
    }

    [Theory]
    [InlineData("5")] // a bare number is days to TimeSpan, not seconds
    [InlineData("00:00:00.050")]
    public void Timeout_OutOfRange_FailsValidation(string value)
    {
        var e = Assert.Throws<OptionsValidationException>(() => Bind(value).Value);

        Assert.Contains(nameof(RedisOptions.Timeout), e.Message, StringComparison.Ordinal);
    }

    /// <summary>The options as a service binds them: <c>Redis:Timeout</c> from configuration, validated.</summary>
    private static IOptions<RedisOptions> Bind(string timeout)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Redis:Timeout"] = timeout })
            .Build();
        var services = new ServiceCollection();
        services.AddValidatedOptions<RedisOptions>(configuration, RedisOptions.Section);
        return services.BuildServiceProvider().GetRequiredService<IOptions<RedisOptions>>();
    }

    private static List<string> Validate(RedisOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage ?? "")];
    }

    private static string WriteSelfSignedPem()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=test CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(Path.GetTempPath(), $"vod-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }
}
