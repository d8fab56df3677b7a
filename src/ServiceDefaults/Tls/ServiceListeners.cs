using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Vod.ServiceDefaults.Tls;

/// <summary>
/// Binds the service's URLs (<c>ASPNETCORE_URLS</c>, <c>--urls</c>, then <c>Management:Urls</c>) in code rather than
/// through Kestrel's URL binding, because an HTTPS listener needs connection middleware on both sides of the TLS layer
/// (<see cref="DirectSocketWrites"/> under it, <see cref="LargeTlsWrites"/> over it), which URL binding has no hook
/// for. Each <c>https://</c> URL gets the reloading <see cref="ServerCertificate"/>, HTTP/2 and HTTP/1.1; an
/// <c>http://</c> URL is bound as Kestrel would. The bench's Kestrel floor binds through it too, so its TLS is the edge's.
/// </summary>
public sealed class ServiceListeners(IReadOnlyList<string> urls, IServiceProvider services) : IConfigureOptions<KestrelServerOptions>
{
    /// <summary>Kestrel's own default when no URL is configured.</summary>
    private const string DefaultUrl = "http://localhost:5000";

    public void Configure(KestrelServerOptions kestrel)
    {
        foreach (var url in urls)
        {
            var address = BindingAddress.Parse(url);
            var https = string.Equals(address.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase);
            if (!https && !string.Equals(address.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"'{url}': only http:// and https:// URLs can be bound");
            }

            Action<ListenOptions> configure = https ? UseTls : _ => { };
            var host = address.Host.Trim('[', ']');
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                kestrel.ListenLocalhost(address.Port, configure);
            }
            else if (IPAddress.TryParse(host, out var ip))
            {
                kestrel.Listen(ip, address.Port, configure);
            }
            else
            {
                kestrel.ListenAnyIP(address.Port, configure);
            }
        }
    }

    private void UseTls(ListenOptions listen)
    {
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        listen.UseDirectSocketWrites();
        listen.UseHttps(services.GetRequiredService<ServerCertificate>().HandshakeOptions());
        listen.UseLargeTlsWrites();
    }

    /// <summary>
    /// Registers the listeners and the TLS options. The URLs are taken over from the web host's settings, which are then
    /// emptied so that Kestrel binds only what is configured here (and does not warn that it overrides them).
    /// </summary>
    public static void Add(WebApplicationBuilder builder, IEnumerable<string> extraUrls)
    {
        var configuration = builder.Configuration;
        var own = configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } configured
            ? Split(configured)
            : Split(configuration["http_ports"]).Select(port => $"http://*:{port}")
                .Concat(Split(configuration["https_ports"]).Select(port => $"https://*:{port}"))
                .DefaultIfEmpty(DefaultUrl);
        List<string> urls = [.. own, .. extraUrls];

        builder.Services.AddValidatedOptions<TlsOptions>(configuration, TlsOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ServerCertificate>();
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>>(sp => new ServiceListeners(urls, sp));
        // An empty value would count as unset and the host would fall back to ASPNETCORE_URLS; a lone separator is a
        // list of no URLs, which also leaves http_ports and https_ports unread.
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, ";");
    }

    private static string[] Split(string? list) =>
        (list ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
