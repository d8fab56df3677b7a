using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Security;

/// <summary>
/// A few thousand random request targets and Range headers (traversal in every spelling, encodings, double encodings,
/// unicode, NUL, backslashes, long segments) at the real origin and a real edge: no 5xx, no unanswered request, and no
/// byte of the canaries planted beside and inside the media root (or of /etc/passwd) in any response.
/// </summary>
[Collection(StackDefinition.Name)]
public sealed class PathAndRangeFuzzTests(StackFixture stack, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int RequestsPerServer = 1500;
    private const int Concurrency = 8;

    private static readonly string[] Pieces =
    [
        "..", ".", "...", "%2e%2e", "%2E%2e", "%2e.", ".%2e", "%252e%252e", "%25252e", "%2f", "%2F", "%5c", "%255c", "\\", "..\\..",
        "%00", "%c0%ae", "%c0%af", "%e0%80%ae", "%ef%bc%8e%ef%bc%8e", "%e2%80%ae", "é", "%C3%A9", "%ff", "~", "*", ";", "%3b", "..;",
        "canary.mp4", "canary.m3u8", "../canary.mp4", "..%2fcanary.mp4", "title.json", "240p", "360p", "media.mp4", "index.m3u8",
        "poster.jpg", "etc", "passwd", "uploads", "titles", ".tmp-x", "%20", "+", "a?b=../../", "#frag", "CON", "aux.m3u8",
    ];

    private static readonly string[] Prefixes =
    [
        "/titles/", "/titles/{id}/", "/titles/{id}/{v}/", "/titles/{id}/{v}/240p/", "/t/{junk}/titles/{id}/", "/", "//", "/titles//",
        "/play/{id}/", "/steering/", "/api/titles/", "/%2e%2e/", "/titles/%2e%2e/%2e%2e/",
    ];

    [Fact]
    public async Task RandomPathsAndRanges_NeverFailAndNeverLeak()
    {
        var title = await stack.SampleTitleAsync();
        await BadInputTests.PlantCanariesAsync(stack);
        var version = (await stack.Store.ReadTitleAsync(title.Id))!.Version!;
        var random = new Random(20261127);
        var requests = Enumerable.Range(0, RequestsPerServer * 2)
            .Select(i => (Server: i % 2 == 0 ? stack.Origin.BaseUrl : stack.Edges[i % 4 == 1 ? 0 : 1].BaseUrl,
                // A quarter aim at a real rendition, so the Range headers meet a servable object.
                Target: random.Next(4) == 0 ? $"/titles/{title.Id}/{version}/240p/media.mp4" : RandomTarget(random, title.Id, version),
                Range: RandomRange(random)))
            .ToList();

        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (r, _) =>
        {
            var headers = r.Range is null ? [] : new[] { ("Range", r.Range) };
            var response = await RawHttp.SendAsync(r.Server, r.Target, headers: headers);
            statuses.AddOrUpdate(response.Status, 1, (_, n) => n + 1);
            if (response.Status is < 200 or >= 500)
            {
                failures.Enqueue($"{response.Status} for {Escape(r.Target)} Range: {r.Range} on {r.Server}\n{Escape(response.Text[..Math.Min(300, response.Text.Length)])}");
            }

            try
            {
                BadInputTests.AssertNothingLeaked(response, Escape(r.Target));
            }
            catch (Xunit.Sdk.XunitException e)
            {
                failures.Enqueue(e.Message);
            }
        });

        var summary = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        output.WriteLine($"{requests.Count} requests in {clock.Elapsed.TotalSeconds:0.0} s; statuses {summary}");
        Assert.True(failures.IsEmpty, $"{failures.Count} bad answers ({summary}):\n{string.Join("\n", failures.Take(10))}");
        Assert.True(statuses.GetValueOrDefault(200) + statuses.GetValueOrDefault(206) > 0, $"no request was served at all: {summary}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{requests.Count} requests took {clock.Elapsed}");
    }

    /// <summary>The pieces a poisoned registry entry is made of: each entry carries at least one of them.</summary>
    private static readonly string[] Poisons =
    [
        "\"", "\n", "\r\n", "\u0001", "\u007f", ",", " ", "'", "<", "javascript:alert(1)", "http://user:pw@127.0.0.1:1",
        "http://127.0.0.1:1/?x=1", "http://127.0.0.1:1/#f", "file:///etc/passwd", "http://[::1", "é", "\\",
        "\"\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhttp://evil.test/x.m3u8", "PATHWAY-ID=\"x\"", new string('a', 600),
    ];

    /// <summary>
    /// Random poisoned announcements written straight into Redis (as anyone with write access could), in the hash and
    /// with fresh heartbeats, while masters, steering and the fleet view are read: never a 5xx, and no piece of any
    /// poisoned entry in a master, a steering answer or /api/edges.
    /// </summary>
    [Fact]
    public async Task RandomPoisonedRegistryEntries_NeverReachAPlaylistOrTheFleetView()
    {
        var title = await stack.SampleTitleAsync();
        var random = new Random(20261130);
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(stack.RedisConfiguration);
        var db = redis.GetDatabase();
        var ids = new List<string>();
        try
        {
            for (var i = 0; i < 60; i++)
            {
                var (id, value) = PoisonedEntry(random, i);
                ids.Add(id);
                await db.HashSetAsync(Vod.Common.RedisKeys.EdgeAnnouncements, id, value);
                await db.SortedSetAddAsync(Vod.Common.RedisKeys.EdgeHeartbeats, id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            }

            for (var round = 0; round < 3; round++)
            {
                await Task.Delay(1100); // the origin's edge monitor reads the registry every second
                foreach (var target in new[] { $"/play/{title.Id}/master.m3u8", $"/steering/{title.Id}", "/api/edges" })
                {
                    var response = await RawHttp.SendAsync(stack.Origin.BaseUrl, target);
                    Assert.True(response.Status is >= 200 and < 500, $"{response.Status} for {target}: {response.Text}");
                    Assert.DoesNotContain("evil.test", response.Text, StringComparison.Ordinal);
                    Assert.DoesNotContain("poison-", response.Text, StringComparison.Ordinal);
                    Assert.DoesNotContain("127.0.0.1:1/", response.Text, StringComparison.Ordinal);
                    Assert.DoesNotContain("javascript:", response.Text, StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            foreach (var id in ids)
            {
                await db.HashDeleteAsync(Vod.Common.RedisKeys.EdgeAnnouncements, id);
                await db.SortedSetRemoveAsync(Vod.Common.RedisKeys.EdgeHeartbeats, id);
            }
        }
    }

    /// <summary>One hostile entry: an id or URL with a poison in it, or a value that is not an announcement at all.</summary>
    private static (string Id, string Value) PoisonedEntry(Random random, int i)
    {
        var poison = Poisons[random.Next(Poisons.Length)];
        var url = $"http://127.0.0.1:1/poison-{i}";
        var id = $"poison-{i}";
        switch (random.Next(5))
        {
            case 0:
                id += poison;
                break;
            case 1:
                url = poison.StartsWith("http", StringComparison.Ordinal) || poison.Contains(':', StringComparison.Ordinal) ? poison + $"poison-{i}" : url + poison;
                break;
            case 2:
                return (id, RandomWord(random, 1 + random.Next(200)) + poison); // not JSON
            case 3:
                return (id, $"{{\"Id\":\"{id}\",\"Url\":{System.Text.Json.JsonSerializer.Serialize(url + poison)},\"StartedAt\":\"2026-11-30T00:00:00Z\",\"ProbeUrl\":{System.Text.Json.JsonSerializer.Serialize(poison)}}}");
            default:
                id = $"poison-{i}"; // a valid id, but another entry's name inside
                return (id, System.Text.Json.JsonSerializer.Serialize(new Vod.Common.Fleet.EdgeAnnouncement($"other-{i}{poison}", url, DateTimeOffset.UtcNow)));
        }

        return (id, System.Text.Json.JsonSerializer.Serialize(new Vod.Common.Fleet.EdgeAnnouncement(id, url, DateTimeOffset.UtcNow)));
    }

    /// <summary>
    /// A freshly published title deleted, purged and read through both edges at once, in a random order: the deletes and
    /// purges answer 204/202/200/404 (one delete wins), reads never 5xx, and afterwards every edge answers 404.
    /// </summary>
    [Fact]
    public async Task PurgeAndDeleteRacingWithReads_NeverFail_AndTheTitleEndsGoneEverywhere()
    {
        var clip = await Media.ClipAsync(Path.Combine(stack.Work, "purge-race.mp4"), 320, 180, 2);
        var title = await stack.UploadAndWaitAsync(clip);
        var stored = (await stack.Store.ReadTitleAsync(title.Id))!;
        var media = $"/titles/{title.Id}/{stored.Version}/{stored.Renditions[0].Playlist}";
        var random = new Random(20261131);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        foreach (var edge in stack.Edges)
        {
            using var served = await http.GetAsync(edge.BaseUrl + media);
            Assert.Equal(System.Net.HttpStatusCode.OK, served.StatusCode); // cached on every edge before the race
        }

        var operations = Enumerable.Range(0, 40).Select(i => random.Next(10) switch
        {
            0 => (Kind: "delete", Request: Admin(HttpMethod.Delete, $"{stack.Origin.BaseUrl}/api/titles/{title.Id}")),
            1 or 2 => (Kind: "purge", Request: Admin(HttpMethod.Post, $"{stack.Origin.BaseUrl}/api/titles/{title.Id}/purge")),
            _ => (Kind: "read", Request: new HttpRequestMessage(HttpMethod.Get, stack.Edges[i % stack.Edges.Count].BaseUrl + media)),
        }).Append((Kind: "delete", Request: Admin(HttpMethod.Delete, $"{stack.Origin.BaseUrl}/api/titles/{title.Id}"))).ToList();

        var answers = await Task.WhenAll(operations.Select(async o =>
        {
            using var response = await http.SendAsync(o.Request);
            return (o.Kind, Status: (int)response.StatusCode);
        }));

        Assert.All(answers.Where(a => a.Kind == "delete"), a => Assert.Contains(a.Status, new[] { 202, 204, 404 }));
        Assert.Single(answers, a => a.Kind == "delete" && a.Status is 202 or 204);
        Assert.All(answers.Where(a => a.Kind == "purge"), a => Assert.Contains(a.Status, new[] { 200, 202, 404 }));
        Assert.All(answers.Where(a => a.Kind == "read"), a => Assert.Contains(a.Status, new[] { 200, 404 }));
        foreach (var edge in stack.Edges)
        {
            await Eventually.TrueAsync(async () =>
            {
                using var response = await http.GetAsync(edge.BaseUrl + media);
                return response.StatusCode == System.Net.HttpStatusCode.NotFound;
            }, TimeSpan.FromSeconds(10), $"{edge.Name} still serves the deleted title");
        }
    }

    private static HttpRequestMessage Admin(HttpMethod method, string url) =>
        new(method, url) { Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", StackFixture.AdminKey) } };

    private static string RandomTarget(Random random, string id, string version)
    {
        var sb = new StringBuilder(Prefixes[random.Next(Prefixes.Length)]
            .Replace("{id}", random.Next(8) == 0 ? id.ToUpperInvariant() : id, StringComparison.Ordinal)
            .Replace("{v}", version, StringComparison.Ordinal)
            .Replace("{junk}", RandomWord(random, 1 + random.Next(90)), StringComparison.Ordinal));
        var segments = 1 + random.Next(8);
        for (var i = 0; i < segments; i++)
        {
            if (i > 0)
            {
                sb.Append(random.Next(10) switch { 0 => "\\", 1 => "%2f", 2 => "//", _ => "/" });
            }

            sb.Append(random.Next(6) switch
            {
                0 => RandomWord(random, 1 + random.Next(random.Next(4) == 0 ? 300 : 20)),
                1 => string.Concat(Enumerable.Range(0, 1 + random.Next(12)).Select(_ => "../")) + "canary.mp4",
                _ => Pieces[random.Next(Pieces.Length)],
            });
        }

        if (random.Next(20) == 0)
        {
            sb.Append(new string('a', 9000)); // past the request line limit: 414
        }

        return sb.ToString();
    }

    private static string RandomWord(Random random, int length)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-%";
        return new string(Enumerable.Range(0, length).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
    }

    private static string? RandomRange(Random random)
    {
        string Number() => random.Next(6) switch
        {
            0 => "",
            1 => "99999999999999999999999",
            2 => long.MaxValue.ToString(CultureInfo.InvariantCulture),
            3 => "-" + random.Next(1000).ToString(CultureInfo.InvariantCulture),
            4 => "abc",
            _ => random.NextInt64(0, 1 << 22).ToString(CultureInfo.InvariantCulture),
        };

        return random.Next(5) switch
        {
            0 => null,
            1 => $"bytes={Number()}-{Number()}",
            2 => "bytes=" + string.Join(',', Enumerable.Range(0, 1 + random.Next(400)).Select(_ => $"{Number()}-{Number()}")),
            3 => $"{(random.Next(2) == 0 ? "items" : "BYTES")}={Number()}-{Number()}",
            _ => $"bytes={random.NextInt64(0, 1 << 20)}-",
        };
    }

    private static string Escape(string s) =>
        string.Concat(s.Take(200).Select(c => c is < ' ' or > '~' ? $"\\x{(int)c:x2}" : c.ToString()));
}
