using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;
using Vod.Storage;

namespace Vod.Integration.Tests.Storage;

/// <summary>
/// The whole stack on an S3 bucket (a real Swift with s3api): two origins and the transcoders each on a media root of
/// their own, sharing nothing but Redis and the bucket, as on separate hosts.
/// </summary>
public sealed class S3StackFixture : IAsyncLifetime
{
    public const string Bucket = "vod-media";

    public S3Server S3 { get; } = new();

    public StackFixture Stack { get; private set; } = null!;

    /// <summary>The bucket as the services see it (to read catalog entries and objects from the test).</summary>
    public S3MediaStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await S3.InitializeAsync();
        await S3.CreateBucketAsync(Bucket);
        var settings = new Dictionary<string, string>
        {
            ["Media__Store"] = "S3",
            ["Media__S3__ServiceUrl"] = S3.ServiceUrl,
            ["Media__S3__Bucket"] = Bucket,
            ["Media__S3__Region"] = S3.Region,
            ["Media__S3__AccessKey"] = S3.AccessKey,
            ["Media__S3__SecretKey"] = S3.SecretKey,
            ["Media__SweepAfter"] = "00:00:03",
        };
        Stack = new StackFixture
        {
            OriginCount = 2,
            WithTranscoder = false, // each test starts the transcoders it needs
            StoreSettings = settings,
            TranscoderSettings = new Dictionary<string, string> { ["Worker__ClaimIdle"] = "00:00:02" },
        };
        await Stack.InitializeAsync();
        Store = new S3MediaStore(
            Options.Create(new MediaStoreOptions
            {
                Store = MediaStoreKind.S3,
                Root = Stack.Work,
                S3 = new S3StoreOptions { ServiceUrl = S3.ServiceUrl, Bucket = Bucket, Region = S3.Region, AccessKey = S3.AccessKey, SecretKey = S3.SecretKey },
            }),
            TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        Store?.Dispose();
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }

        await S3.DisposeAsync();
    }

    public async Task<List<string>> KeysAsync(string prefix)
    {
        using var client = S3.CreateClient();
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix };
        while (true)
        {
            var page = await client.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            if (page.IsTruncated != true)
            {
                return keys;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }
}

public sealed class S3StackTests(S3StackFixture fixture) : IClassFixture<S3StackFixture>
{
    private StackFixture Stack => fixture.Stack;

    [Fact]
    public async Task UploadToReady_WithNoSharedDisk_PlaysThroughAnEdge_ServesTheObjectsBytes_AndDeleteRemovesEveryObject()
    {
        await using var transcoder = await Stack.StartTranscoderAsync("transcoder-a");
        var clip = await Media.ClipAsync(Path.Combine(Stack.Work, "s3-play.mp4"), 640, 360, 6);

        var title = await Stack.UploadAndWaitAsync(clip);

        Assert.Equal(TitleStatus.Ready, title.Status);
        var entry = (await fixture.Store.ReadTitleAsync(title.Id))!;
        Assert.Contains(title.Id, (await Stack.ListTitlesAsync(Stack.Origins[1])).Select(t => t.Id)); // the other origin never saw the upload
        Assert.Empty(Directory.EnumerateFiles(Stack.MediaRootOf("transcoder-a"), "*", SearchOption.AllDirectories)); // scratch only, and cleaned
        Assert.False(Directory.Exists(Path.Combine(Stack.MediaRootOf("origin-1"), "titles")));

        var play = await Media.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-i", $"{Stack.Origins[1].BaseUrl}{title.PlaybackUrl}", "-f", "null", "-progress", "pipe:1", "-"]);
        Assert.True(play.ExitCode == 0, play.StandardError);
        var decoded = Regex.Matches(play.StandardOutput, @"out_time_us=(\d+)").Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Max() / 1e6;
        Assert.InRange(decoded, 5.9, 6.5);

        // Every byte an edge or an origin serves is the object's, with the object's own ETag.
        var media = $"{Path.GetDirectoryName(title.Renditions[0].Playlist)}/media.mp4";
        var key = S3MediaStore.MediaKey($"{title.Id}/{entry.Version}/{media}");
        byte[] stored;
        string etag;
        using (var client = fixture.S3.CreateClient())
        {
            using var get = await client.GetObjectAsync(S3StackFixture.Bucket, key);
            etag = get.ETag;
            using var copy = new MemoryStream();
            await get.ResponseStream.CopyToAsync(copy);
            stored = copy.ToArray();
        }

        var random = new Random(20261130);
        for (var i = 0; i < 10; i++)
        {
            var from = random.NextInt64(stored.Length);
            var to = Math.Min(stored.Length - 1, from + random.Next(1, 200_000));
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{Stack.Edges[i % 2].BaseUrl}/titles/{title.Id}/{entry.Version}/{media}");
            request.Headers.Range = new RangeHeaderValue(from, to);
            using var response = await Stack.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(stored[(int)from..(int)(to + 1)], await response.Content.ReadAsByteArrayAsync());
        }

        using (var conditional = new HttpRequestMessage(HttpMethod.Get, $"{Stack.Origins[1].BaseUrl}/titles/{title.Id}/{entry.Version}/{media}"))
        {
            conditional.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(etag));
            using var response = await Stack.Http.SendAsync(conditional);
            Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
            Assert.Equal(etag, response.Headers.ETag!.ToString());
        }

        Assert.Equal(stored, await Stack.Http.GetByteArrayAsync($"{Stack.Origins[0].BaseUrl}/titles/{title.Id}/{entry.Version}/{media}"));

        // Trick play from the bucket: the storyboard read from it, its sheets through an edge, and a still that ffmpeg
        // made by reading the rendition through the origin's own /titles/ (no file on this origin's disk).
        Assert.NotNull(entry.Trickplay);
        var storyboard = await Stack.Http.GetStringAsync($"{Stack.Origins[1].BaseUrl}/play/{title.Id}/storyboard.vtt");
        var sheet = Regex.Match(storyboard, @"\n(http\S+/trickplay/sheet_000\.jpg)#xywh=").Groups[1].Value;
        using (var response = await Stack.Http.GetAsync(sheet))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        }

        using (var still = await Stack.Http.GetAsync($"{Stack.Origins[0].BaseUrl}/api/titles/{title.Id}/thumbnail.jpg?time=4&width=160"))
        {
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);
            var bytes = await still.Content.ReadAsByteArrayAsync();
            Assert.True(bytes.Length > 1000 && bytes[0] == 0xFF && bytes[1] == 0xD8, $"not a JPEG: {bytes.Length} bytes");
        }

        using (var delete = StackFixture.AdminRequest(HttpMethod.Delete, $"{Stack.Origins[1].BaseUrl}/api/titles/{title.Id}"))
        {
            using var response = await Stack.Http.SendAsync(delete);
            Assert.True(response.IsSuccessStatusCode, $"delete answered {(int)response.StatusCode}");
        }

        Assert.Empty(await fixture.KeysAsync($"titles/{title.Id}/"));
        Assert.Empty(await fixture.KeysAsync(S3MediaStore.CatalogKey(title.Id)));
        Assert.Empty(await fixture.KeysAsync(S3MediaStore.SourceKey(entry.Source)));
        using var gone = await Stack.Http.GetAsync($"{Stack.Origins[0].BaseUrl}/titles/{title.Id}/{entry.Version}/{media}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task TranscoderKilledMidPublish_AnotherFinishes_NoHalfVersionIsEverVisible_AndTheLeftoversAreSwept()
    {
        // The first transcoder reaches the bucket through a relay the test can hold: its publish stalls part-way.
        await using var relay = new TcpRelay(fixture.S3.Port);
        var dying = await Stack.StartTranscoderAsync("transcoder-dying", new Dictionary<string, string> { ["Media__S3__ServiceUrl"] = $"http://127.0.0.1:{relay.Port}" });
        await using (dying)
        {
            var clip = await Media.ClipAsync(Path.Combine(Stack.Work, "s3-kill.mp4"), 640, 360, 6);
            // Uploads of the ladder are the only large requests it makes (the source comes down, progress is a small PUT):
            // the relay stops them 150 kB in, wherever the publish is then.
            relay.HoldAfterBytesUp(relay.BytesUp + 150_000);
            using var upload = await Stack.UploadAsync(clip);
            var id = (await upload.Content.ReadFromJsonAsync<TitleDto>(StackFixture.JsonOptions))!.Id;

            await Eventually.TrueAsync(() => relay.IsHeld, TimeSpan.FromSeconds(60), "the transcoder never started publishing");
            var half = await fixture.KeysAsync($"titles/{id}/");

            var seen = await Stack.GetTitleAsync(id);
            Assert.Equal(TitleStatus.Transcoding, seen!.Status); // held mid-publish of this title
            Assert.Null((await fixture.Store.ReadTitleAsync(id))!.Version);
            using (var manifest = await Stack.Http.GetAsync($"{Stack.Origins[1].BaseUrl}/play/{id}/master.m3u8"))
            {
                Assert.NotEqual(HttpStatusCode.OK, manifest.StatusCode);
            }

            dying.Signal(Signals.Kill);
            Assert.True(await dying.WaitForExitAsync(TimeSpan.FromSeconds(5)));
            relay.Release();

            await using var rescuer = await Stack.StartTranscoderAsync("transcoder-rescuer");
            var title = await Stack.WaitForFinalAsync(id, TimeSpan.FromSeconds(90));

            Assert.Equal(TitleStatus.Ready, title.Status);
            var entry = (await fixture.Store.ReadTitleAsync(id))!;
            Assert.Equal(2, entry.Attempts);
            Assert.DoesNotContain(half, k => k.StartsWith($"titles/{id}/{entry.Version}/", StringComparison.Ordinal));

            // What the dead attempt uploaded is referenced by nothing: the rescuer's sweeper removes it.
            await Eventually.TrueAsync(
                async () => (await fixture.KeysAsync($"titles/{id}/")).All(k => k.StartsWith($"titles/{id}/{entry.Version}/", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(30),
                "the half-published version was not swept");
            Assert.NotEmpty(await fixture.KeysAsync($"titles/{id}/{entry.Version}/"));
        }
    }

    [Fact]
    public async Task StoreProxyKilled_UploadsGet503AndStoreNothing_AfterItsRestartEverythingIsThere()
    {
        var clip = await Media.ClipAsync(Path.Combine(Stack.Work, "s3-proxy.mp4"), 320, 240, 2);
        using var before = await Stack.UploadAsync(clip);
        Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);
        var kept = (await before.Content.ReadFromJsonAsync<TitleDto>(StackFixture.JsonOptions))!.Id;
        var sources = await fixture.KeysAsync("uploads/");

        fixture.S3.KillProxy();
        try
        {
            using var refused = await Stack.UploadAsync(clip);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("media store is unavailable", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var catalog = await Stack.Http.SendAsync(StackFixture.AdminRequest(HttpMethod.Get, $"{Stack.Origin.BaseUrl}/api/titles/{kept}"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, catalog.StatusCode);
        }
        finally
        {
            await fixture.S3.StartProxyAsync();
        }

        Assert.Equal(sources, await fixture.KeysAsync("uploads/")); // the refused upload left nothing
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Stack.MediaRootOf("origin-1"), "uploads"), ".tmp-*"));
        Assert.NotNull(await fixture.Store.ReadTitleAsync(kept));
        using var after = await Stack.UploadAsync(clip);
        Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
        var added = (await after.Content.ReadFromJsonAsync<TitleDto>(StackFixture.JsonOptions))!.Id;
        Assert.Contains(added, (await Stack.ListTitlesAsync(Stack.Origins[1])).Select(t => t.Id));

        // Not left queued for the other tests' transcoders to pick up.
        foreach (var id in new[] { kept, added })
        {
            using var delete = await Stack.Http.SendAsync(StackFixture.AdminRequest(HttpMethod.Delete, $"{Stack.Origin.BaseUrl}/api/titles/{id}"));
            Assert.True(delete.IsSuccessStatusCode, $"delete answered {(int)delete.StatusCode}");
        }
    }

    [Fact]
    public async Task OriginKilledMidUpload_NothingIsStoredOrListed_AndTheOtherOriginsServeOn()
    {
        var titles = (await fixture.Store.ListTitlesAsync()).Count;
        var sources = await fixture.KeysAsync("uploads/");
        await using var doomed = await Stack.StartExtraOriginAsync("origin-doomed");

        using var body = new StalledBody(2 << 20);
        using var form = new MultipartFormDataContent { { new StreamContent(body), "file", "big.mp4" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{doomed.BaseUrl}/api/titles") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StackFixture.AdminKey);
        var sending = Stack.Http.SendAsync(request);

        var uploads = Path.Combine(Stack.MediaRootOf("origin-doomed"), "uploads");
        await Eventually.TrueAsync(
            () => Directory.Exists(uploads) && Directory.EnumerateFiles(uploads, ".tmp-*").Any(f => new FileInfo(f).Length >= 1 << 20),
            TimeSpan.FromSeconds(20),
            "the upload never reached the origin's scratch");
        doomed.Signal(Signals.Kill);
        Assert.True(await doomed.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAnyAsync<Exception>(() => sending);

        Assert.Equal(titles, (await fixture.Store.ListTitlesAsync()).Count);
        Assert.Equal(sources, await fixture.KeysAsync("uploads/"));
        using var listing = await Stack.Http.GetAsync($"{Stack.Origins[0].BaseUrl}/api/titles");
        Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
    }

    /// <summary>A request body that sends its bytes, then waits forever (a slow client, cut off by the origin's death).</summary>
    private sealed class StalledBody(int bytes) : Stream
    {
        private readonly TaskCompletionSource _never = new();
        private int _sent;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _sent; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_sent >= bytes)
            {
                await _never.Task.WaitAsync(cancellationToken);
            }

            var count = Math.Min(buffer.Length, bytes - _sent);
            buffer.Span[..count].Fill(0x42);
            _sent += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
