using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Logging;
using Vod.ServiceDefaults.Tls;

namespace Vod.Common.Tests.Hosting;

/// <summary>
/// <see cref="LargeTlsWrites"/> seen from the wire: how many TLS records a 64 KiB answer takes on the service's listener
/// and on a listener with Kestrel's own TLS writes (4 KiB a record), and that a client going away mid-answer ends the
/// connection quietly.
/// </summary>
[Collection(TlsServerGroup.Name)]
public sealed class LargeTlsWritesTests(TlsServerFixture fixture)
{
    private const int Body = 64 * 1024;

    /// <summary>A record whose encrypted length passes this carries a full 16 KiB of plaintext.</summary>
    private const int FullRecord = LargeTlsWrites.RecordBytes;

    private readonly TlsServer _server = fixture.Server;

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Get64KiB_ServiceListener_ComesInFullSizedRecords(SslProtocols protocol)
    {
        var records = await GetAsync(_server.HttpsPort, protocol, Body);

        // 4 full records and the tail (the headers share the first). TLS 1.2: only the answer is application data;
        // TLS 1.3 adds up to two session tickets (~280 bytes), which may arrive before or after the request.
        var data = records.Where(r => r.Type == TlsRecordCounter.ApplicationData).ToList();
        Assert.True(data.Count <= (protocol == SslProtocols.Tls12 ? 6 : 8), Describe(records));
        Assert.True(data.Count(r => r.Length > FullRecord) >= 4, Describe(records));
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Get64KiB_PlainUseHttps_TakesKestrelsSmallRecords(SslProtocols protocol)
    {
        var records = await GetAsync(_server.PlainTlsPort, protocol, Body);

        // The baseline the middleware is measured against: 4 KiB blocks, one record each (17 for 64 KiB).
        var data = records.Where(r => r.Type == TlsRecordCounter.ApplicationData).ToList();
        Assert.True(data.Count >= 16, Describe(records));
        Assert.DoesNotContain(data, r => r.Length > FullRecord);
    }

    [Fact]
    public async Task Get_ManySmallFlushes_StillArriveByteEqual()
    {
        // Every 1000-byte write is flushed: records follow the flushes, and nothing is lost or reordered.
        var records = await GetAsync(_server.HttpsPort, SslProtocols.Tls13, Body, piece: 1000);

        Assert.True(records.Count >= Body / 1000, Describe(records));
    }

    [Fact]
    public async Task Http11ClientResetsMidAnswer_ConnectionEndsWithoutAnException()
    {
        var errorsBefore = Errors();
        await using (var connection = await ConnectAsync(_server.ObservedPort, SslProtocols.Tls13))
        {
            var tls = connection.Tls;
            await tls.WriteAsync("GET /bytes/8000000?piece=1000000 HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
            var buffer = new byte[64 * 1024];
            var read = 0;
            while (read < buffer.Length)
            {
                read += await tls.ReadAsync(buffer.AsMemory(read));
            }

            connection.Tcp.Client.LingerState = new LingerOption(true, 0); // a reset, not a polite close, most of the answer unsent
            connection.Tcp.Close();
        }

        Assert.Null(await NextConnectionEndAsync());
        Assert.Equal(errorsBefore, Errors());
    }

    [Fact]
    public async Task Http2ClientGoesAwayMidAnswer_ConnectionEndsWithoutAnException()
    {
        var errorsBefore = Errors();
        using (var client = _server.Client())
        {
            var url = new Uri($"https://localhost:{_server.ObservedPort}/bytes/8000000?piece=1000000");
            using var response = await client.SendAsync(
                new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact },
                HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.ReadExactlyAsync(new byte[100_000]);

            // A stream cancelled mid-answer leaves the connection serving others.
            var other = await client.SendAsync(
                new HttpRequestMessage(HttpMethod.Get, new Uri($"https://localhost:{_server.ObservedPort}/bytes/300000"))
                {
                    Version = HttpVersion.Version20,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                });
            Assert.True((await other.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(TlsServer.Payload.AsSpan(0, 300_000)));
        }

        Assert.Null(await NextConnectionEndAsync());
        Assert.Equal(errorsBefore, Errors());
    }

    private int Errors() => _server.Problems.Count(p => p.Level >= LogLevel.Error);

    private async Task<Exception?> NextConnectionEndAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        return await _server.EndedConnections.Reader.ReadAsync(timeout.Token);
    }

    private static string Describe(IEnumerable<(byte Type, int Length)> records) =>
        "records (type:length): " + string.Join(", ", records.Select(r => $"{r.Type}:{r.Length}"));

    /// <summary>A raw TLS connection (HTTP/1.1 by ALPN) whose incoming records are counted.</summary>
    private async Task<Connection> ConnectAsync(int port, SslProtocols protocol)
    {
        var thumbprint = _server.Leaf.Thumbprint;
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            var counter = new TlsRecordCounter(tcp.GetStream());
            var tls = new SslStream(counter);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = protocol,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                // The very certificate the server was given (the chain and the name are TlsEndToEndTests' subject).
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == thumbprint,
            });
            Assert.Equal(protocol, tls.SslProtocol);
            return new Connection(tcp, counter, tls);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One HTTP/1.1 GET over a raw TLS connection that counts the records it receives after its request. Returns them once
    /// the server closed the connection, the body checked byte for byte.
    /// </summary>
    private async Task<IReadOnlyList<(byte Type, int Length)>> GetAsync(int port, SslProtocols protocol, int length, int piece = 100_000)
    {
        await using var connection = await ConnectAsync(port, protocol);
        connection.Counter.StartCounting();
        await connection.Tls.WriteAsync(Encoding.ASCII.GetBytes($"GET /bytes/{length}?piece={piece} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
        using var received = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await connection.Tls.CopyToAsync(received, timeout.Token);

        var response = received.ToArray();
        var headerEnd = response.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(response, 0, headerEnd), StringComparison.Ordinal);
        Assert.True(response.AsSpan(headerEnd).SequenceEqual(TlsServer.Payload.AsSpan(0, length)), "the body differs from what the app wrote");
        return connection.Counter.Records;
    }

    private sealed record Connection(TcpClient Tcp, TlsRecordCounter Counter, SslStream Tls) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Tls.DisposeAsync();
            Tcp.Dispose();
        }
    }
}
