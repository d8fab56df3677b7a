using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vod.ServiceDefaults.Tls;

namespace Vod.Common.Tests.Hosting;

/// <summary>
/// A real Kestrel on 127.0.0.1 with the service's listeners (<see cref="ServiceListeners"/>: one https:// and one
/// http:// URL on port 0, the certificate from PEM files through <see cref="ServerCertificate"/>, full-sized TLS
/// records) and <see cref="StrictTransportSecurity"/>, plus extra HTTPS listeners a test can compare with:
/// the same certificate without <see cref="LargeTlsWrites"/>, a certificate from another authority, and one of the
/// same authority for another host name. <c>GET /bytes/{n}</c> answers the first n bytes of <see cref="Payload"/>.
/// </summary>
public sealed class TlsServer : IAsyncDisposable
{
    /// <summary>HSTS max-age the service is configured with: 1 day and 1 second, not a default.</summary>
    public const int HstsSeconds = 86_401;

    /// <summary>Deterministic bytes the server answers from (8 MiB).</summary>
    public static readonly byte[] Payload = MakePayload(8 * 1024 * 1024);

    private readonly TempDirectory _directory = new();
    private readonly TestAuthority _authority = TestAuthority.Create("vod test");
    private readonly TestAuthority _stranger = TestAuthority.Create("someone else");
    private readonly List<IDisposable> _owned = [];
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> _logs = new();
    private WebApplication? _app;
    private string _certificatePath = "";
    private string _keyPath = "";

    /// <summary>The root of the authority that issued the service's certificate, as a <c>Tls:CaFile</c>.</summary>
    public string CaFile { get; private set; } = "";

    /// <summary>The https:// and http:// ports ServiceListeners bound.</summary>
    public int HttpsPort { get; private set; }

    public int HttpPort { get; private set; }

    /// <summary>The same certificate, plain <c>UseHttps</c>: Kestrel's own TLS writes.</summary>
    public int PlainTlsPort { get; private set; }

    /// <summary>A certificate for localhost issued by another authority.</summary>
    public int StrangerPort { get; private set; }

    /// <summary>A certificate from the trusted authority, for another host name only.</summary>
    public int OtherNamePort { get; private set; }

    /// <summary>
    /// The service's TLS stack (the same certificate, <c>UseLargeTlsWrites</c>) under an observer that reports each
    /// connection's end to <see cref="EndedConnections"/>, with the exception it ended with, if any.
    /// </summary>
    public int ObservedPort { get; private set; }

    public System.Threading.Channels.Channel<Exception?> EndedConnections { get; } =
        System.Threading.Channels.Channel.CreateUnbounded<Exception?>();

    public X509Certificate2 Leaf { get; private set; } = null!;

    /// <summary>What Kestrel and the app logged at Warning and above.</summary>
    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Problems => [.. _logs];

    public static async Task<TlsServer> StartAsync(TimeSpan hstsMaxAge)
    {
        var server = new TlsServer();
        await server.StartCoreAsync(hstsMaxAge);
        return server;
    }

    private async Task StartCoreAsync(TimeSpan hstsMaxAge)
    {
        Leaf = _authority.IssueLeaf("localhost", "127.0.0.1");
        var certificatePath = _certificatePath = Path.Combine(_directory.Path, "tls.crt");
        var keyPath = _keyPath = Path.Combine(_directory.Path, "tls.key");
        _authority.WritePair(Leaf, certificatePath, keyPath);
        CaFile = _authority.WriteCaFile(_directory.Path);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new QueueLoggerProvider(_logs));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [WebHostDefaults.ServerUrlsKey] = "https://127.0.0.1:0;http://127.0.0.1:0",
            ["Tls:CertificatePath"] = certificatePath,
            ["Tls:KeyPath"] = keyPath,
            ["Tls:CaFile"] = CaFile,
            ["Tls:HstsMaxAge"] = hstsMaxAge.ToString(),
        });
        builder.Services.AddSingleton(TimeProvider.System); // as AddServiceDefaults registers it
        ServiceListeners.Add(builder, []);

        var strangerCertificate = Certificate(_stranger, _stranger.IssueLeaf("localhost", "127.0.0.1"), "stranger");
        var otherNameCertificate = Certificate(_authority, _authority.IssueLeaf("elsewhere.example"), "elsewhere");
        var extra = new List<ListenOptions>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var own = kestrel.ApplicationServices.GetRequiredService<ServerCertificate>();
            foreach (var certificate in new[] { own, strangerCertificate, otherNameCertificate })
            {
                kestrel.Listen(IPAddress.Loopback, 0, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(certificate.HandshakeOptions());
                    extra.Add(listen);
                });
            }

            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.Use(next => async connection =>
                {
                    try
                    {
                        await next(connection);
                        EndedConnections.Writer.TryWrite(null);
                    }
                    catch (Exception e)
                    {
                        EndedConnections.Writer.TryWrite(e);
                        throw;
                    }
                });
                listen.UseHttps(own.HandshakeOptions());
                listen.UseLargeTlsWrites();
                extra.Add(listen);
            });
        });

        var app = builder.Build();
        app.UseStrictTransportSecurity();
        app.MapGet("/bytes/{length:int}", WriteBytesAsync);
        app.MapGet("/protocol", (HttpContext context) => $"{context.Request.Protocol} {context.Request.Scheme}");
        await app.StartAsync();
        _app = app;

        PlainTlsPort = extra[0].IPEndPoint!.Port;
        StrangerPort = extra[1].IPEndPoint!.Port;
        OtherNamePort = extra[2].IPEndPoint!.Port;
        ObservedPort = extra[3].IPEndPoint!.Port;
        var others = new HashSet<int> { PlainTlsPort, StrangerPort, OtherNamePort, ObservedPort };
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a))
            .Where(u => !others.Contains(u.Port))
            .ToList();
        HttpsPort = addresses.Single(u => u.Scheme == Uri.UriSchemeHttps).Port;
        HttpPort = addresses.Single(u => u.Scheme == Uri.UriSchemeHttp).Port;
    }

    /// <summary>
    /// A renewal: a new leaf from the same authority written over the service's files, then the service's
    /// <see cref="ServerCertificate"/> told to look (as its timer would). Returns the new leaf, owned by the server.
    /// </summary>
    public X509Certificate2 Renew()
    {
        var leaf = _authority.IssueLeaf("localhost", "127.0.0.1");
        _owned.Add(leaf);
        _authority.WritePair(leaf, _certificatePath, _keyPath);
        _app!.Services.GetRequiredService<ServerCertificate>().Reload();
        return leaf;
    }

    /// <summary>The thumbprint of the certificate a new TLS connection to <paramref name="port"/> is shown.</summary>
    public static async Task<string> PresentedThumbprintAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        string? seen = null;
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            // Records what is shown and accepts only what chains to a root the test made (none is in the system store).
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                seen = certificate?.GetCertHashString();
                return errors == SslPolicyErrors.RemoteCertificateChainErrors;
            },
        });
        return seen!;
    }

    /// <summary>Writes the body in uneven pieces, as a handler copying from a file would.</summary>
    private static async Task WriteBytesAsync(HttpContext context, int length)
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = length;
        var piece = int.TryParse(context.Request.Query["piece"], out var p) ? p : 100_000;
        for (var offset = 0; offset < length; offset += piece)
        {
            await context.Response.Body.WriteAsync(Payload.AsMemory(offset, Math.Min(piece, length - offset)), context.RequestAborted);
        }
    }

    private ServerCertificate Certificate(TestAuthority authority, X509Certificate2 leaf, string name)
    {
        var certificatePath = Path.Combine(_directory.Path, name + ".crt");
        var keyPath = Path.Combine(_directory.Path, name + ".key");
        authority.WritePair(leaf, certificatePath, keyPath);
        leaf.Dispose();
        var certificate = new ServerCertificate(
            Options.Create(new TlsOptions { CertificatePath = certificatePath, KeyPath = keyPath, ReloadInterval = TimeSpan.FromHours(1) }),
            NullLogger<ServerCertificate>.Instance,
            TimeProvider.System);
        _owned.Add(certificate);
        return certificate;
    }

    /// <summary>
    /// A client as a service makes one (<see cref="OutboundTrust"/> over the service's <c>Tls:CaFile</c>, or the system's
    /// store only), connecting every host name to 127.0.0.1 so that "localhost" is the name checked.
    /// </summary>
    public HttpClient Client(bool trustCaFile = true)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellation) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellation);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        if (trustCaFile)
        {
            handler.TrustingCaFile(new TlsOptions { CaFile = CaFile });
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        Leaf?.Dispose();
        _authority.Dispose();
        _stranger.Dispose();
        _directory.Dispose();
    }

    private static byte[] MakePayload(int length)
    {
        var bytes = new byte[length];
        new Random(20_261_130).NextBytes(bytes);
        return bytes;
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<(LogLevel, string, string)> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(logs, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class QueueLogger(ConcurrentQueue<(LogLevel, string, string)> logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                logs.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : " " + exception)));
            }
        }
    }
}

/// <summary>One server for the tests that only read from it.</summary>
public sealed class TlsServerFixture : IAsyncLifetime
{
    public TlsServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TlsServer.StartAsync(TimeSpan.FromSeconds(TlsServer.HstsSeconds));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class TlsServerGroup : ICollectionFixture<TlsServerFixture>
{
    public const string Name = "TLS server";
}
