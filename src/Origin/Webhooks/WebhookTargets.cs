using System.Net;
using System.Net.Sockets;

namespace Vod.Origin.Webhooks;

/// <summary>
/// The SSRF guard: where webhooks may go. A target must be an absolute http(s) URL without user info, and every address
/// its host stands for must be public: private, shared (CGNAT), loopback, link-local, multicast, reserved, broadcast
/// and unspecified addresses are refused, for IPv4 and IPv6, including IPv4 carried inside IPv6 (mapped, compatible,
/// NAT64, 6to4), unless <see cref="WebhookOptions.AllowPrivateTargets"/> or a network of
/// <see cref="WebhookOptions.AllowedNetworks"/> allows them. Checked at registration and again on every connection a
/// delivery opens (<see cref="ConnectAsync"/>), since a name may resolve elsewhere by then (DNS rebinding).
/// </summary>
internal sealed class WebhookTargets(bool allowPrivate, IReadOnlyList<IPNetwork> allowed)
{
    public static WebhookTargets From(WebhookOptions options) =>
        new(options.AllowPrivateTargets, TryParseNetworks(options.AllowedNetworks, out var networks) ? networks : []);

    public static bool TryParseNetworks(string? text, out IReadOnlyList<IPNetwork> networks)
    {
        var list = new List<IPNetwork>();
        networks = list;
        foreach (var item in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(item, out var network))
            {
                list.Add(network);
            }
            else if (IPAddress.TryParse(item, out var address))
            {
                list.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Why the URL cannot be a target before any name is resolved (scheme, form, a refused literal address), or null.</summary>
    public string? CheckUrl(string? url, out Uri? uri)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(url) || url.Length > 2048 || !Uri.TryCreate(url, UriKind.Absolute, out var parsed))
        {
            return "the url must be an absolute http or https URL";
        }

        if (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps)
        {
            return $"the url's scheme must be http or https, not '{parsed.Scheme}'";
        }

        if (parsed.UserInfo.Length > 0 || parsed.Fragment.Length > 0 || parsed.Host.Length == 0)
        {
            return "the url must have a host and no user info or fragment";
        }

        uri = parsed;
        return IPAddress.TryParse(parsed.IdnHost.Trim('[', ']'), out var literal) ? Refusal(literal) : null;
    }

    /// <summary>Why a URL that passed <see cref="CheckUrl"/> is refused once its host is resolved, or null: every address must be allowed.</summary>
    public async Task<string?> CheckResolvedAsync(Uri uri, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await Resolve(uri.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            return $"the host '{uri.IdnHost}' does not resolve";
        }

        return addresses.Length == 0 ? $"the host '{uri.IdnHost}' does not resolve" : addresses.Select(Refusal).FirstOrDefault(r => r is not null);
    }

    /// <summary>Why the address may not be reached, or null when it may.</summary>
    public string? Refusal(IPAddress address)
    {
        var plain = Embedded(address) ?? address;
        if (allowPrivate || allowed.Any(n => n.Contains(plain) || n.Contains(address)))
        {
            return null;
        }

        return Classify(address) is { } kind
            ? $"{address} is a {kind} address: webhooks may not reach internal services (see Webhooks:AllowedNetworks)"
            : null;
    }

    /// <summary>The kind of a non-public address (<c>private</c>, <c>loopback</c>, ...), or null for a public one.</summary>
    public static string? Classify(IPAddress address)
    {
        if (Embedded(address) is { } v4)
        {
            return Classify(v4);
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 => "unspecified",
                10 => "private",
                100 when b[1] is >= 64 and <= 127 => "private", // shared address space (CGNAT), 100.64.0.0/10
                127 => "loopback",
                169 when b[1] == 254 => "link-local", // cloud metadata services live here
                172 when b[1] is >= 16 and <= 31 => "private",
                192 when b[1] == 168 => "private",
                192 when b[1] == 0 && b[2] == 0 => "reserved", // IETF protocol assignments
                198 when b[1] is 18 or 19 => "reserved", // benchmarking
                >= 224 and <= 239 => "multicast",
                >= 240 => b.All(x => x == 255) ? "broadcast" : "reserved",
                _ => null,
            };
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                return "unspecified";
            }

            if (address.Equals(IPAddress.IPv6Loopback))
            {
                return "loopback";
            }

            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0xff => "multicast",
                0xfe when (b[1] & 0xc0) == 0x80 => "link-local", // fe80::/10
                0xfe when (b[1] & 0xc0) == 0xc0 => "private", // fec0::/10, the deprecated site-local
                0xfc or 0xfd => "private", // unique local, fc00::/7
                0x20 when b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 => "reserved", // documentation, 2001:db8::/32
                0x01 when b[1..8].All(x => x == 0) => "reserved", // discard-only, 100::/64
                0 => "reserved", // the rest of ::/8 (IPv4-compatible and mapped forms are checked as IPv4 above)
                _ => null,
            };
        }

        return "unsupported";
    }

    /// <summary>The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16), or null.</summary>
    public static IPAddress? Embedded(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        if (b[..12].All(x => x == 0) && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1))
        {
            return new IPAddress(b[12..]); // IPv4-compatible (not :: or ::1)
        }

        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..12].All(x => x == 0))
        {
            return new IPAddress(b[12..]); // NAT64
        }

        return b[0] == 0x20 && b[1] == 0x02 ? new IPAddress(b[2..6]) : null; // 6to4
    }

    /// <summary>
    /// The delivery client's <c>ConnectCallback</c>: resolves the host, refuses the connection when any address is
    /// refused (so a name cannot point one address out and one in), and connects to the allowed ones in turn.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await Resolve(context.DnsEndPoint.Host, cancellationToken);
        if (addresses.Select(Refusal).FirstOrDefault(r => r is not null) is { } refusal)
        {
            throw new HttpRequestException($"target refused: {refusal}");
        }

        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }

        throw new HttpRequestException($"could not connect: {last?.Message ?? "no address"}", last);
    }

    private static async Task<IPAddress[]> Resolve(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
}
