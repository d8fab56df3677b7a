using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;
using Vod.Common.Fleet;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Security;

/// <summary>
/// Whoever can write to Redis writes registry entries: a real origin with a fleet key and a host allow-list, real
/// signed edges, and hostile entries written straight into <c>vod:edges</c>. A refused entry is not listed on
/// <c>/api/edges</c>, not written into a master playlist, never probed, and logged once.
/// </summary>
public sealed class RegistryPoisoningTests(RegistryPoisoningTests.Fixture fixture) : IClassFixture<RegistryPoisoningTests.Fixture>
{
    public const string FleetKeyText = "registry-poisoning-fleet-key-0123456789";
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);
    private readonly StackFixture _stack = fixture.Stack;

    public sealed class Fixture : IAsyncLifetime
    {
        public StackFixture Stack { get; } = new()
        {
            Settings = new Dictionary<string, string>
            {
                ["Fleet__Key"] = FleetKeyText,
                ["Fleet__AllowedHosts"] = "127.0.0.1",
                ["Fleet__ProbeInterval"] = ProbeInterval.ToString("c", CultureInfo.InvariantCulture),
            },
        };

        public Task InitializeAsync() => Stack.InitializeAsync();

        public Task DisposeAsync() => Stack.DisposeAsync();
    }

    /// <summary>
    /// One hostile entry each; <c>{port}</c> is replaced by the port of a listener that counts connections, so an entry
    /// that was accepted would be probed there. "signed" entries carry a valid signature of the fleet's own key.
    /// </summary>
    public static TheoryData<string, string, string, string, string?, string> Poisoned => new()
    {
        // case, hash field, announced id, announced URL, probe URL (or null), signature: signed | unsigned | other-key
        { "quote in id", "p1\"", "p1\"", "http://127.0.0.1:{port}", null, "signed" },
        { "javascript: URL", "p2", "p2", "javascript:alert(document.cookie)//127.0.0.1:{port}", null, "signed" },
        { "quote after the host", "p3", "p3", "http://127.0.0.1:{port}/\"", null, "signed" },
        { "newline in URL", "p4", "p4", "http://127.0.0.1:{port}\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhttp://evil/x.m3u8", null, "signed" },
        { "user info", "p5", "p5", "http://edge@127.0.0.1:{port}", null, "signed" },
        { "host not on the allow-list", "p6", "p6", "http://localhost:{port}", null, "signed" },
        { "internal probe host not on the allow-list", "p7", "p7", "http://127.0.0.1:5299", "http://localhost:{port}", "signed" },
        { "unsigned while a fleet key is set", "p8", "p8", "http://127.0.0.1:{port}", null, "unsigned" },
        { "signed with another key", "p9", "p9", "http://127.0.0.1:{port}", null, "other-key" },
        { "id differs from its field", "p10", "edge-1", "http://127.0.0.1:{port}", null, "signed" },
    };

    [Theory]
    [MemberData(nameof(Poisoned))]
    public async Task PoisonedEntry_IsNotListedNotInTheManifestNotProbed_AndLoggedOnce(
        string description, string field, string id, string url, string? probeUrl, string signature)
    {
        var title = await _stack.SampleTitleAsync();
        await using var counter = new ConnectionCounter();
        var port = counter.Port.ToString(CultureInfo.InvariantCulture);
        var entry = new EdgeAnnouncement(id, url.Replace("{port}", port, StringComparison.Ordinal), DateTimeOffset.UtcNow,
            probeUrl?.Replace("{port}", port, StringComparison.Ordinal));
        entry = signature switch
        {
            "signed" => entry.WithSignature(new FleetKey(FleetKeyText).Sign(entry.SignedText())),
            "other-key" => entry.WithSignature(new FleetKey(FleetKeyText + "-not-ours").Sign(entry.SignedText())),
            _ => entry,
        };
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_stack.Redis.AdminConfiguration);
        try
        {
            // Fresh heartbeats throughout, so nothing but the checks can keep the entry out.
            using var beating = new CancellationTokenSource();
            var beats = BeatAsync(redis.GetDatabase(), field, entry, beating.Token);
            await Task.Delay(ProbeInterval * 8);

            var fleet = await _stack.FleetAsync();
            var manifest = await _stack.Http.GetStringAsync($"{_stack.Origin.BaseUrl}{title.PlaybackUrl}");
            await beating.CancelAsync();
            await beats;

            Assert.True(counter.Connections == 0, $"{description}: the origin probed the entry ({counter.Connections} connections)");
            Assert.DoesNotContain(fleet, e => e.Id == id && e.Url == entry.Url);
            Assert.DoesNotContain(fleet, e => e.Id == field || e.Url.Contains(port, StringComparison.Ordinal));
            Assert.All(_stack.Edges, edge => Assert.Contains(fleet, e => e.Id == edge.Name && e.Routable)); // the real fleet is unharmed
            Assert.DoesNotContain(port, manifest, StringComparison.Ordinal);
            Assert.DoesNotContain("evil", manifest, StringComparison.Ordinal);
            Assert.DoesNotContain("javascript", manifest, StringComparison.Ordinal);
            Assert.DoesNotContain($"PATHWAY-ID=\"{field}\"", manifest, StringComparison.Ordinal);
            var refusals = Occurrences(_stack.Origin.Log, $"Ignoring edge registry entry '{RefusedEntry.Printable(field)}'");
            Assert.True(refusals == 1, $"{description}: logged {refusals} times, expected once\n{_stack.Origin.Log}");
        }
        finally
        {
            await EdgeRegistry.DeregisterAsync(redis.GetDatabase(), field);
        }
    }

    [Fact]
    public async Task SignedEntry_OfARealFleetMember_IsProbed()
    {
        // The control for the cases above: the same listener, named by an entry that passes every check, is probed.
        await using var counter = new ConnectionCounter();
        var entry = new EdgeAnnouncement("control", $"http://127.0.0.1:{counter.Port}", DateTimeOffset.UtcNow);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_stack.Redis.AdminConfiguration);
        try
        {
            await EdgeRegistry.HeartbeatAsync(redis.GetDatabase(), entry, DateTimeOffset.UtcNow, new FleetKey(FleetKeyText));

            await Eventually.TrueAsync(() => counter.Connections > 0, TimeSpan.FromSeconds(5), "a valid signed entry was never probed");
            await Eventually.TrueAsync(async () => (await _stack.FleetAsync()).Any(e => e.Id == "control"), TimeSpan.FromSeconds(5),
                "a valid signed entry is not listed");
        }
        finally
        {
            await EdgeRegistry.DeregisterAsync(redis.GetDatabase(), "control");
        }
    }

    public static TheoryData<string, string> ProbeFailures => new()
    {
        { "close", "probe failed: health probe failed" },
        { "503", "probe failed: status 503" },
        { "hang", "probe failed: timed out" },
    };

    [Theory]
    [MemberData(nameof(ProbeFailures))]
    public async Task ProbeFailure_IsAFixedPhraseOnApiEdges_NeverTheErrorText(string behaviour, string expected)
    {
        await using var edge = new MisbehavingEdge(behaviour);
        var id = "bad-" + behaviour;
        var entry = new EdgeAnnouncement(id, $"http://127.0.0.1:{edge.Port}", DateTimeOffset.UtcNow);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_stack.Redis.AdminConfiguration);
        try
        {
            using var beating = new CancellationTokenSource();
            var beats = BeatAsync(redis.GetDatabase(), id, entry.WithSignature(new FleetKey(FleetKeyText).Sign(entry.SignedText())), beating.Token);
            EdgeDto? seen = null;
            await Eventually.TrueAsync(async () =>
            {
                seen = (await _stack.FleetAsync()).FirstOrDefault(e => e.Id == id && e.Reason is not null);
                return seen is not null;
            }, TimeSpan.FromSeconds(10), $"{id} never showed as down");
            await beating.CancelAsync();
            await beats;

            Assert.Equal(expected, seen!.Reason);
            Assert.False(seen.Routable);
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{_stack.Origin.BaseUrl}/api/edges");
            request.Headers.Authorization = new("Bearer", StackFixture.AdminKey);
            using var raw = await _stack.Http.SendAsync(request);
            var body = await raw.Content.ReadAsStringAsync();
            Assert.True(raw.IsSuccessStatusCode, body);
            Assert.DoesNotContain("internal-detail", body, StringComparison.Ordinal); // the 503's body and header
            Assert.DoesNotContain("refused", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("prematurely", body, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await EdgeRegistry.DeregisterAsync(redis.GetDatabase(), id);
        }
    }

    private static async Task BeatAsync(IDatabase db, string field, EdgeAnnouncement entry, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(entry);
        while (!cancellationToken.IsCancellationRequested)
        {
            await db.HashSetAsync(EdgeRegistry.Announcements, field, json);
            await db.SortedSetAddAsync(EdgeRegistry.Heartbeats, field, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            try
            {
                await Task.Delay(ProbeInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static int Occurrences(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// A registered "edge" whose <c>/healthz</c> fails in one way: <c>close</c> (connection closed without an answer),
    /// <c>503</c> (with an internal detail in the body and a header), <c>hang</c> (accepts, never answers).
    /// </summary>
    private sealed class MisbehavingEdge : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;
        private readonly List<TcpClient> _held = [];

        public MisbehavingEdge(string behaviour)
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _serving = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = AnswerAsync(client, behaviour);
                }
            });
        }

        public int Port { get; }

        private async Task AnswerAsync(TcpClient client, string behaviour)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[4096];
                await stream.ReadAtLeastAsync(buffer, 1, throwOnEndOfStream: false, _stop.Token); // the request
                switch (behaviour)
                {
                    case "503":
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(
                            "HTTP/1.1 503 Service Unavailable\r\nX-Internal: internal-detail\r\nContent-Length: 15\r\nConnection: close\r\n\r\ninternal-detail"), _stop.Token);
                        client.Dispose();
                        break;
                    case "hang":
                        lock (_held)
                        {
                            _held.Add(client);
                        }

                        break;
                    default:
                        client.Dispose();
                        break;
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                client.Dispose();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _serving;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }

            lock (_held)
            {
                _held.ForEach(c => c.Dispose());
            }

            _listener.Dispose();
            _stop.Dispose();
        }
    }
}
