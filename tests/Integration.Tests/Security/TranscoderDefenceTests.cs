using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;
using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Common.Jobs;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Security;

/// <summary>
/// Defence in depth: a hostile playlist that never went through the origin's upload probe (written to the store and
/// queued straight into the job stream) is still refused by the transcoder, which reads neither the local file nor
/// the URL it names, and publishes nothing.
/// </summary>
[Collection(StackDefinition.Name)]
public sealed class TranscoderDefenceTests(StackFixture stack)
{
    [Fact]
    public async Task QueuedPlaylistBypassingTheUploadProbe_FailsInTheTranscoderAndReadsNothing()
    {
        await using var listener = new ConnectionCounter();
        var port = listener.Port;

        var id = TitleId.New();
        Directory.CreateDirectory(stack.Store.Uploads);
        await File.WriteAllTextAsync(Path.Combine(stack.Store.Uploads, id + ".m3u8"),
            $"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile:///etc/passwd\n#EXTINF:2,\nhttp://127.0.0.1:{port}/x.ts\n#EXT-X-ENDLIST\n");
        var now = DateTimeOffset.UtcNow;
        await stack.Store.WriteTitleAsync(new Title { Id = id, Name = "bypass", Status = TitleStatus.Queued, CreatedAt = now, UpdatedAt = now, Source = id + ".m3u8" }, CancellationToken.None);
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.Configuration))
        {
            await redis.GetDatabase().StreamAddAsync(TranscodeJobs.Stream, TranscodeJobs.TitleIdField, id);
        }

        var title = await stack.WaitForFinalAsync(id);

        Assert.Equal(TitleStatus.Failed, title.Status);
        Assert.Contains("playlist", title.Error, StringComparison.Ordinal);
        Assert.Empty(title.Renditions);
        Assert.Equal(["title.json"], Directory.EnumerateFileSystemEntries(stack.Store.TitleDirectory(id)).Select(Path.GetFileName));
        await Task.Delay(300);
        Assert.Equal(0, listener.Connections);
    }
}
