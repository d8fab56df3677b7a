using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using IPNetwork = System.Net.IPNetwork;

namespace Vod.ServiceDefaults;

/// <summary>
/// The reverse proxies or load balancers in front of a service (<c>Proxy:KnownProxies</c>). Empty, the default:
/// <c>X-Forwarded-For</c> is never read, and the client is the TCP peer.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string Section = "Proxy";

    /// <summary>
    /// Comma-separated addresses (<c>10.0.0.5</c>) or networks (<c>10.0.0.0/24</c>, <c>fd00::/8</c>) of the proxies whose
    /// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed. A request from anywhere else keeps its TCP peer
    /// as the client address, whatever headers it carries.
    /// </summary>
    public string? KnownProxies { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(KnownProxies);

    /// <summary>The parsed list; throws <see cref="FormatException"/> for an entry that is not an address or a network.</summary>
    public IReadOnlyList<IPNetwork> Networks() =>
        (KnownProxies ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToList();

    private static IPNetwork Parse(string entry)
    {
        if (IPAddress.TryParse(entry, out var address) && !entry.Contains('/', StringComparison.Ordinal))
        {
            address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            return new IPNetwork(address, address.GetAddressBytes().Length * 8);
        }

        return IPNetwork.TryParse(entry, out var network)
            ? network
            : throw new FormatException($"Proxy:KnownProxies: '{entry}' is neither an IP address nor a network (such as 10.0.0.0/24)");
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string? error = null;
        try
        {
            Networks();
        }
        catch (FormatException e)
        {
            error = e.Message;
        }

        if (error is not null)
        {
            yield return new ValidationResult(error, [nameof(KnownProxies)]);
        }
    }
}

/// <summary>
/// ASP.NET Core's forwarded-headers middleware, on only when <c>Proxy:KnownProxies</c> lists the proxies to believe.
/// Behind a load balancer every request arrives from the balancer's address: without this, the admin lock-out and the
/// per-client limits would treat all viewers as one client, and the loopback rule of <see cref="OperationalAccess"/>
/// would trust everyone a proxy on the same host forwards. With it, the client is the address the known proxy saw; an
/// <c>X-Forwarded-For</c> from anyone else is ignored (the framework's default trust of loopback is removed).
/// </summary>
public static class KnownProxies
{
    private const string AppliedKey = "Vod.KnownProxies.Applied";

    internal static IServiceCollection AddKnownProxies(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ProxyOptions>(configuration, ProxyOptions.Section);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxy) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            if (proxy.Value.Enabled)
            {
                foreach (var network in proxy.Value.Networks())
                {
                    forwarded.KnownIPNetworks.Add(network);
                }
            }

            // Each hop is believed only while the address it came from is a known proxy, so a chain of known proxies
            // (balancer, then nginx) is walked to the first address that is not one; a client's own entries are not.
            forwarded.ForwardLimit = null;
        });
        return services;
    }

    /// <summary>
    /// Puts the middleware in the pipeline when proxies are configured (once, however often it is called). It must come
    /// before anything that reads the client address: <see cref="HostingDefaults.MapServiceDefaults"/> calls it first; a
    /// service whose own middleware runs before that and needs the client address calls it earlier itself.
    /// </summary>
    public static IApplicationBuilder UseKnownProxies(this IApplicationBuilder app)
    {
        if (app.Properties.ContainsKey(AppliedKey))
        {
            return app;
        }

        app.Properties[AppliedKey] = true;
        var proxy = app.ApplicationServices.GetRequiredService<IOptions<ProxyOptions>>().Value;
        return proxy.Enabled ? app.UseForwardedHeaders() : app;
    }
}
