using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// HTTP/1.1 over a raw socket, so a test can send exactly the bytes it wants: HttpClient normalises <c>..</c>, escapes
/// and refuses NUL or backslashes, which is the very input the servers must survive.
/// </summary>
public static class RawHttp
{
    public sealed record Response(int Status, byte[] Raw)
    {
        public bool Contains(byte[] needle) => Raw.AsSpan().IndexOf(needle) >= 0;

        public string Text => Encoding.Latin1.GetString(Raw);
    }

    /// <param name="target">The request target, sent as given (Latin-1 bytes, so NUL and non-ASCII go out raw).</param>
    public static async Task<Response> SendAsync(string baseUrl, string target, string method = "GET", IEnumerable<(string Name, string Value)>? headers = null)
    {
        var uri = new Uri(baseUrl);
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await client.ConnectAsync(uri.Host, uri.Port, timeout.Token);
        var stream = client.GetStream();
        var request = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{method} {target} HTTP/1.1\r\nHost: {uri.Authority}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers ?? [])
        {
            request.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        await stream.WriteAsync(Encoding.Latin1.GetBytes(request.Append("\r\n").ToString()), timeout.Token);
        using var response = new MemoryStream();
        try
        {
            await stream.CopyToAsync(response, timeout.Token);
        }
        catch (IOException)
        {
            // A server may reset the connection after answering a bad request: what arrived is the answer.
        }

        var raw = response.ToArray();
        var text = Encoding.Latin1.GetString(raw, 0, Math.Min(raw.Length, 64));
        var status = text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(text.AsSpan(9, 3), CultureInfo.InvariantCulture, out var code) ? code : 0;
        return new Response(status, raw);
    }
}
