using System.Security.Cryptography;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Common.Webhooks;
using Vod.Integration.Tests.Infrastructure;
using Vod.Storage;

namespace Vod.Integration.Tests.Storage;

/// <summary>The S3 media store against a real S3 server (Swift with s3api): the contract the origin and transcoders rely on.</summary>
[Collection(S3ServerDefinition.Name)]
public sealed class S3MediaStoreTests(S3Server s3) : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("vod-s3-scratch-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private async Task<(S3MediaStore Store, string Bucket)> NewStoreAsync(TimeProvider? time = null)
    {
        var bucket = "store-" + Guid.NewGuid().ToString("N")[..12];
        await s3.CreateBucketAsync(bucket);
        var options = new MediaStoreOptions
        {
            Store = MediaStoreKind.S3,
            Root = _scratch,
            S3 = new S3StoreOptions
            {
                ServiceUrl = s3.ServiceUrl,
                Bucket = bucket,
                Region = s3.Region,
                AccessKey = s3.AccessKey,
                SecretKey = s3.SecretKey,
                PartSize = 5 << 20,
            },
        };
        return (new S3MediaStore(Options.Create(options), time ?? TimeProvider.System), bucket);
    }

    private static Title NewTitle(string? version = null)
    {
        var id = TitleId.New();
        return new Title
        {
            Id = id,
            Name = "t " + id,
            Status = version is null ? TitleStatus.Queued : TitleStatus.Ready,
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
            Source = id + ".mp4",
            Version = version,
        };
    }

    private async Task<List<string>> KeysAsync(string bucket, string prefix)
    {
        using var client = s3.CreateClient();
        var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix });
        return [.. (page.S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal)];
    }

    private static string StagingWith(params (string Path, int Bytes)[] files)
    {
        var staging = Directory.CreateTempSubdirectory("vod-s3-ladder-").FullName;
        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(staging, path))!);
            File.WriteAllBytes(Path.Combine(staging, path), RandomNumberGenerator.GetBytes(bytes));
        }

        return staging;
    }

    [Fact]
    public async Task Catalog_WriteReadListDelete_RoundTripsThroughTheBucket()
    {
        var (store, bucket) = await NewStoreAsync();
        using var _ = store;
        var first = NewTitle();
        var second = NewTitle() with { CreatedAt = first.CreatedAt.AddMinutes(1) };
        await store.WriteTitleAsync(first);
        await store.WriteTitleAsync(second);

        Assert.Equal(first, (await store.ReadTitleAsync(first.Id))! with { Renditions = first.Renditions, Audio = first.Audio, Subtitles = first.Subtitles }); // lists compare by reference in records
        Assert.Null(await store.ReadTitleAsync(TitleId.New()));
        Assert.Equal([second.Id, first.Id], (await store.ListTitlesAsync()).Select(t => t.Id));
        Assert.Equal(new[] { S3MediaStore.CatalogKey(first.Id), S3MediaStore.CatalogKey(second.Id) }.Order(StringComparer.Ordinal), await KeysAsync(bucket, "catalog/"));

        // A changed entry is read again by the next listing (its ETag changed), a deleted one disappears.
        await store.WriteTitleAsync(first with { Status = TitleStatus.Failed, Error = "x" });
        Assert.True(await store.DeleteTitleAsync(second));
        Assert.False(await store.DeleteTitleAsync(second));
        var listed = Assert.Single(await store.ListTitlesAsync());
        Assert.Equal(TitleStatus.Failed, listed.Status);
    }

    [Fact]
    public async Task PublishAsync_UploadsTheLadderUnderAVersion_AndTheEntryPointsAtItAfter()
    {
        var (store, bucket) = await NewStoreAsync();
        using var _ = store;
        var title = NewTitle();
        await store.WriteTitleAsync(title);
        var staging = StagingWith(("360p/index.m3u8", 300), ("360p/media.mp4", 200_000), ("poster.jpg", 5000));

        var version = await store.PublishAsync(title.Id, staging);

        Assert.NotNull(version);
        Assert.False(Directory.Exists(staging)); // consumed
        var prefix = $"titles/{title.Id}/{version}/";
        Assert.Equal([prefix + "360p/index.m3u8", prefix + "360p/media.mp4", prefix + "poster.jpg"], await KeysAsync(bucket, "titles/"));
        var meta = await store.GetMetadataAsync(prefix + "360p/media.mp4");
        Assert.Equal(200_000, meta!.Length);
        Assert.StartsWith("\"", meta.ETag, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishDerivedAsync_CopiesTheKeptObjectsInsideTheBucket_SmallAndMultipart_AndAddsTheStagedOnes()
    {
        var (store, bucket) = await NewStoreAsync();
        using var _ = store;
        var title = NewTitle();
        await store.WriteTitleAsync(title);
        var first = StagingWith(("360p/index.m3u8", 300), ("360p/media.mp4", (5 << 20) + 123_457), ("subtitles/sub1.vtt", 800));
        var large = await File.ReadAllBytesAsync(Path.Combine(first, "360p/media.mp4"));
        var baseVersion = await store.PublishAsync(title.Id, first);
        Assert.NotNull(baseVersion);
        await Task.Delay(5); // version names are milliseconds

        var derived = await store.PublishDerivedAsync(title.Id, baseVersion, StagingWith(("subtitles/sub2.vtt", 900)), ["subtitles/sub1.vtt"]);

        Assert.NotNull(derived);
        var prefix = $"titles/{title.Id}/{derived}/";
        Assert.Equal([prefix + "360p/index.m3u8", prefix + "360p/media.mp4", prefix + "subtitles/sub2.vtt"], await KeysAsync(bucket, prefix));
        Assert.Equal(3, (await KeysAsync(bucket, $"titles/{title.Id}/{baseVersion}/")).Count); // the base is untouched
        using var client = s3.CreateClient();
        using var copied = await client.GetObjectAsync(bucket, prefix + "360p/media.mp4");
        using var bytes = new MemoryStream();
        await copied.ResponseStream.CopyToAsync(bytes);
        Assert.Equal(SHA256.HashData(large), SHA256.HashData(bytes.ToArray())); // copied in parts (over PartSize), byte-equal
        Assert.Equal("video/mp4", copied.Headers.ContentType);
        Assert.Null(await store.PublishDerivedAsync(title.Id, "v20250101000000000", StagingWith(("subtitles/sub3.vtt", 10)), [])); // no such base
    }

    [Fact]
    public async Task PublishAsync_TitleDeletedMeanwhile_LeavesNoObjects()
    {
        var (store, bucket) = await NewStoreAsync();
        using var _ = store;
        var title = NewTitle();
        var staging = StagingWith(("360p/media.mp4", 1000));

        Assert.Null(await store.PublishAsync(title.Id, staging)); // no catalog entry: nothing to publish for
        Assert.Empty(await KeysAsync(bucket, "titles/"));
        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public async Task Sources_LargeFileGoesUpInParts_AndComesBackByteEqual()
    {
        var (store, bucket) = await NewStoreAsync();
        using var _ = store;
        Directory.CreateDirectory(store.Scratch.Uploads);
        var upload = Path.Combine(store.Scratch.Uploads, ".tmp-test");
        var bytes = RandomNumberGenerator.GetBytes((12 << 20) + 12345); // three parts of 5 MiB
        await File.WriteAllBytesAsync(upload, bytes);

        await store.StoreSourceAsync(upload, "abc.mp4");

        Assert.False(File.Exists(upload)); // moved into the store
        using (var client = s3.CreateClient())
        {
            var head = await client.GetObjectMetadataAsync(bucket, "uploads/abc.mp4");
            Assert.EndsWith("-3\"", head.ETag, StringComparison.Ordinal); // a multipart object's ETag names its part count
        }

        var job = Path.Combine(_scratch, "job");
        using (var local = await store.FetchSourceAsync("abc.mp4", job))
        {
            Assert.NotNull(local);
            Assert.True((await File.ReadAllBytesAsync(local.Path)).AsSpan().SequenceEqual(bytes));
            Assert.StartsWith(job, local.Path, StringComparison.Ordinal);
            local.Dispose();
            Assert.False(File.Exists(local.Path)); // a download is removed with its handle
        }

        Assert.Null(await store.FetchSourceAsync("missing.mp4", job));
        await store.DeleteSourceAsync("abc.mp4");
        Assert.Empty(await KeysAsync(bucket, "uploads/"));
    }

    [Fact]
    public async Task SweepAsync_RemovesOnlyOldObjectsNothingReferences()
    {
        var time = new ShiftedTime();
        var (store, bucket) = await NewStoreAsync(time);
        using var _ = store;
        var live = NewTitle();
        await store.WriteTitleAsync(live);
        var current = await store.PublishAsync(live.Id, StagingWith(("360p/media.mp4", 1000)));
        var superseded = "v20200101000000000";
        using (var client = s3.CreateClient())
        {
            // A half-published version of a live title, a deleted title's remains and an orphan source.
            foreach (var key in new[] { $"titles/{live.Id}/{superseded}/360p/media.mp4", $"titles/{TitleId.New()}/v1/a.mp4", "uploads/orphan.mp4" })
            {
                await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "x", UseChunkEncoding = false });
            }
        }

        await store.WriteTitleAsync(live with { Version = current, Status = TitleStatus.Ready });
        await store.StoreSourceAsync(WriteScratch("src"), live.Source);

        Assert.Equal(0, await store.SweepAsync(TimeSpan.FromHours(1))); // everything is new: a publish may be in progress

        time.Shift = TimeSpan.FromHours(2);
        Assert.Equal(3, await store.SweepAsync(TimeSpan.FromHours(1)));
        Assert.Equal([$"titles/{live.Id}/{current}/360p/media.mp4"], await KeysAsync(bucket, "titles/"));
        Assert.Equal([$"uploads/{live.Source}"], await KeysAsync(bucket, "uploads/"));
    }

    private string WriteScratch(string name)
    {
        var path = Path.Combine(_scratch, name);
        File.WriteAllText(path, name);
        return path;
    }

    /// <summary>The clock, moved forward: the server's object dates stay real.</summary>
    private sealed class ShiftedTime : TimeProvider
    {
        public TimeSpan Shift { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
    }

    [Fact]
    public async Task Webhooks_WriteListDelete_RoundTripAndOutliveASweep()
    {
        var (store, bucket) = await NewStoreAsync();
        var a = new WebhookEndpoint("wh_" + new string('a', 20), "https://a.example/hook", ["title.ready"], "whsec_a", DateTimeOffset.UtcNow.AddMinutes(-1));
        var b = new WebhookEndpoint("wh_" + new string('b', 20), "https://b.example/hook", ["title.deleted"], "whsec_b", DateTimeOffset.UtcNow);
        await store.WriteWebhookAsync(b);
        await store.WriteWebhookAsync(a);

        var listed = await store.ListWebhooksAsync();
        Assert.Equal([a.Id, b.Id], listed.Select(e => e.Id)); // oldest first
        Assert.Equal(a.Url, listed[0].Url);
        Assert.Equal("whsec_a", listed[0].Secret);
        Assert.Equal(["title.ready"], listed[0].Events);
        Assert.Equal(0, await store.SweepAsync(TimeSpan.Zero)); // the sweeper leaves webhooks/ alone
        Assert.Equal([$"webhooks/{a.Id}.json", $"webhooks/{b.Id}.json"], await KeysAsync(bucket, "webhooks/"));

        Assert.True(await store.DeleteWebhookAsync(a.Id));
        Assert.False(await store.DeleteWebhookAsync(a.Id));
        Assert.Equal([b.Id], (await store.ListWebhooksAsync()).Select(e => e.Id));
    }
}
