using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vod.ServiceDefaults.Tls;

namespace Vod.Common.Tests.Hosting;

public sealed class ServiceListenersTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Configure_UrlOfAnotherScheme_IsRefusedNamingIt()
    {
        var listeners = new ServiceListeners(["ftp://127.0.0.1:2121"], new ServiceCollection().BuildServiceProvider());

        var e = Assert.Throws<InvalidOperationException>(() => listeners.Configure(new KestrelServerOptions()));

        Assert.Contains("'ftp://127.0.0.1:2121'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_HttpsUrlWithoutCertificate_FailsSayingWhatToSet()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(new() { [WebHostDefaults.ServerUrlsKey] = "https://127.0.0.1:0" }));

        Assert.Contains("Tls:CertificatePath and Tls:KeyPath", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_CertificateFileMissing_FailsNamingTheSettingAndThePath()
    {
        var missing = Path.Combine(_directory.Path, "missing.pem");
        var key = Path.Combine(_directory.Path, "tls.key");
        await File.WriteAllTextAsync(key, "");

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new()
        {
            [WebHostDefaults.ServerUrlsKey] = "https://127.0.0.1:0",
            ["Tls:CertificatePath"] = missing,
            ["Tls:KeyPath"] = key,
        }));

        Assert.Contains($"Tls:CertificatePath: no file at '{missing}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_HttpUrlOnly_NeedsNoCertificate()
    {
        await using var app = await StartAsync(new() { [WebHostDefaults.ServerUrlsKey] = "http://127.0.0.1:0" });
        using var client = new HttpClient();
        var address = new Uri(app.Urls.Single());

        Assert.Equal(Uri.UriSchemeHttp, address.Scheme);
        Assert.Equal("plain", await client.GetStringAsync(new Uri(address, "/")));
        await app.StopAsync();
    }

    /// <summary>A web application with the service's listeners and nothing else, started (or failing to).</summary>
    private static async Task<WebApplication> StartAsync(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        ServiceListeners.Add(builder, []);
        var app = builder.Build();
        app.MapGet("/", () => "plain");
        try
        {
            await app.StartAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }
}
