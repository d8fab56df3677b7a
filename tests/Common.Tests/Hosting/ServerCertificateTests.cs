using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vod.ServiceDefaults.Tls;

namespace Vod.Common.Tests.Hosting;

public sealed class ServerCertificateTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly TempDirectory _directory = new();
    private readonly TestAuthority _authority = TestAuthority.Create("vod test");
    private readonly FakeTimeProvider _time = new();
    private readonly ListLogger _log = new();
    private readonly string _certificatePath;
    private readonly string _keyPath;

    public ServerCertificateTests()
    {
        _certificatePath = Path.Combine(_directory.Path, "tls.crt");
        _keyPath = Path.Combine(_directory.Path, "tls.key");
    }

    public void Dispose()
    {
        _authority.Dispose();
        _directory.Dispose();
    }

    private ServerCertificate Create(TlsOptions? options = null) => new(
        Options.Create(options ?? new TlsOptions { CertificatePath = _certificatePath, KeyPath = _keyPath, ReloadInterval = Interval }),
        _log,
        _time);

    /// <summary>What the next handshake is given (the callback completes synchronously).</summary>
    private static SslServerAuthenticationOptions Presented(ServerCertificate server)
    {
        var pending = server.HandshakeOptions().OnConnection(new TlsHandshakeCallbackContext());
        return pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("the handshake callback did not complete at once");
    }

    [Fact]
    public void Construct_LeafAndIntermediateInOneFile_SendsTheIntermediateWithTheLeaf()
    {
        using var leaf = _authority.IssueLeaf("localhost", "127.0.0.1");
        _authority.WritePair(leaf, _certificatePath, _keyPath);

        using var server = Create();
        var context = Presented(server).ServerCertificateContext!;

        Assert.Equal(leaf.Thumbprint, server.Certificate.Thumbprint);
        Assert.True(server.Certificate.HasPrivateKey);
        Assert.Contains(context.IntermediateCertificates, c => c.Thumbprint == _authority.Intermediate.Thumbprint);
        Assert.DoesNotContain(context.IntermediateCertificates, c => c.Thumbprint == leaf.Thumbprint);
    }

    [Fact]
    public void HandshakeOptions_OfferTls12And13AndHttp2ThenHttp11()
    {
        using var leaf = _authority.IssueLeaf("localhost");
        _authority.WritePair(leaf, _certificatePath, _keyPath);
        using var server = Create(new TlsOptions
        {
            CertificatePath = _certificatePath,
            KeyPath = _keyPath,
            HandshakeTimeout = TimeSpan.FromSeconds(3),
        });

        var handshake = server.HandshakeOptions();
        var options = Presented(server);

        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, options.EnabledSslProtocols);
        Assert.Equal([SslApplicationProtocol.Http2, SslApplicationProtocol.Http11], options.ApplicationProtocols);
        Assert.False(options.ClientCertificateRequired);
        Assert.Equal(TimeSpan.FromSeconds(3), handshake.HandshakeTimeout);
    }

    [Fact]
    public void Reload_NewLeafWritten_PresentsTheNewCertificate()
    {
        using var first = _authority.IssueLeaf("localhost");
        using var second = _authority.IssueLeaf("localhost");
        _authority.WritePair(first, _certificatePath, _keyPath);
        using var server = Create();

        _authority.WritePair(second, _certificatePath, _keyPath);
        server.Reload();

        Assert.Equal(second.Thumbprint, server.Certificate.Thumbprint);
        Assert.Equal(second.Thumbprint, Presented(server).ServerCertificateContext!.TargetCertificate.Thumbprint);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("reloaded", StringComparison.Ordinal));
    }

    [Fact]
    public void Timer_NewLeafWritten_TakesEffectAfterOneInterval()
    {
        using var first = _authority.IssueLeaf("localhost");
        using var second = _authority.IssueLeaf("localhost");
        _authority.WritePair(first, _certificatePath, _keyPath);
        using var server = Create();

        _authority.WritePair(second, _certificatePath, _keyPath);
        _time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(first.Thumbprint, server.Certificate.Thumbprint);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(second.Thumbprint, server.Certificate.Thumbprint);
    }

    [Fact]
    public void Timer_AfterDispose_NoLongerReloads()
    {
        using var first = _authority.IssueLeaf("localhost");
        using var second = _authority.IssueLeaf("localhost");
        _authority.WritePair(first, _certificatePath, _keyPath);
        var server = Create();

        server.Dispose();
        _authority.WritePair(second, _certificatePath, _keyPath);
        _time.Advance(Interval * 3);

        Assert.Equal(first.Thumbprint, server.Certificate.Thumbprint);
    }

    [Fact]
    public void Reload_UnchangedFiles_KeepTheSameOptionsInstance()
    {
        using var leaf = _authority.IssueLeaf("localhost");
        _authority.WritePair(leaf, _certificatePath, _keyPath);
        using var server = Create();
        var before = Presented(server);

        server.Reload();
        _authority.WritePair(leaf, _certificatePath, _keyPath); // rewritten, same bytes
        _time.Advance(Interval);

        Assert.Same(before, Presented(server));
        Assert.Same(before, Presented(server));
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Information);
    }

    [Fact]
    public void Reload_NewCertificateWithTheOldKey_KeepsTheOldCertificateUntilTheKeyArrives()
    {
        using var first = _authority.IssueLeaf("localhost");
        using var second = _authority.IssueLeaf("localhost");
        _authority.WritePair(first, _certificatePath, _keyPath);
        using var server = Create();
        var before = Presented(server);

        _authority.WriteChain(second, _certificatePath); // a renewal caught half way: the key is still the old one
        server.Reload();

        Assert.Same(before, Presented(server));
        Assert.Equal(first.Thumbprint, server.Certificate.Thumbprint);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("do not load", StringComparison.Ordinal));

        TestAuthority.WriteKey(second, _keyPath);
        server.Reload();

        Assert.Equal(second.Thumbprint, server.Certificate.Thumbprint);
    }

    [Fact]
    public void Reload_CertificateFileGoneOrGarbled_KeepsTheOldCertificate()
    {
        using var leaf = _authority.IssueLeaf("localhost");
        _authority.WritePair(leaf, _certificatePath, _keyPath);
        using var server = Create();

        File.Delete(_certificatePath);
        server.Reload();
        Assert.Equal(leaf.Thumbprint, server.Certificate.Thumbprint);

        File.WriteAllText(_certificatePath, "-----BEGIN CERTIFICATE-----\nnot base64\n");
        server.Reload();
        Assert.Equal(leaf.Thumbprint, server.Certificate.Thumbprint);
        Assert.Equal(2, _log.Entries.Count(e => e.Level == LogLevel.Warning));
    }

    /// <summary>
    /// Fails today: <c>Reload</c> catches <see cref="IOException"/> only, and <c>File.ReadAllBytes</c> throws
    /// <see cref="UnauthorizedAccessException"/> for a file the service may not read (a renewal written with mode 600 by
    /// another user) or a directory at the path. On the timer that exception is unhandled on a thread-pool thread and
    /// ends the process instead of keeping the old certificate.
    /// </summary>
    [Fact]
    public void Reload_CertificatePathUnreadable_KeepsTheOldCertificate()
    {
        using var leaf = _authority.IssueLeaf("localhost");
        _authority.WritePair(leaf, _certificatePath, _keyPath);
        using var server = Create();

        File.Delete(_certificatePath);
        Directory.CreateDirectory(_certificatePath); // reading it is "access denied", as a file of mode 600 owned by another user
        _time.Advance(Interval);

        Assert.Equal(leaf.Thumbprint, server.Certificate.Thumbprint);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public void Construct_CertificateFileMissing_ThrowsNamingTheFile()
    {
        using var leaf = _authority.IssueLeaf("localhost");
        TestAuthority.WriteKey(leaf, _keyPath);

        var e = Assert.ThrowsAny<IOException>(() => Create());

        Assert.Contains(_certificatePath, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Construct_NoCertificateConfigured_SaysWhichSettingsAreNeeded()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Create(new TlsOptions()));

        Assert.Contains("Tls:CertificatePath", e.Message, StringComparison.Ordinal);
        Assert.Contains("Tls:KeyPath", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Construct_KeyOfAnotherCertificate_ThrowsSayingItDoesNotMatch()
    {
        using var leaf = _authority.IssueLeaf("localhost");
        using var other = _authority.IssueLeaf("localhost");
        _authority.WriteChain(leaf, _certificatePath);
        TestAuthority.WriteKey(other, _keyPath);

        var e = Assert.Throws<InvalidOperationException>(() => Create());

        Assert.Contains("does not match", e.Message, StringComparison.Ordinal);
        Assert.Contains(_certificatePath, e.Message, StringComparison.Ordinal); // names the files, for the operator
        Assert.Contains(_keyPath, e.Message, StringComparison.Ordinal);
    }

    internal sealed class ListLogger : ILogger<ServerCertificate>
    {
        private readonly List<(LogLevel Level, string Message)> _entries = [];

        public IReadOnlyList<(LogLevel Level, string Message)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
