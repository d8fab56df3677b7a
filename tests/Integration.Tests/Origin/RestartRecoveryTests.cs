using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Integration.Tests.Infrastructure;
using Vod.Storage;

namespace Vod.Integration.Tests.Origin;

/// <summary>
/// The disk is the source of truth: a title left queued while nothing ran is transcoded once the stack starts. Nothing
/// here bounds a time or kills a process, so the class runs with the parallel collections.
/// </summary>
public sealed class RestartRecoveryTests
{
    [Fact]
    public async Task Start_WithQueuedTitleOnDiskAndEmptyRedis_ReenqueuesAndTranscodesIt()
    {
        var root = Directory.CreateTempSubdirectory("vod-restart-").FullName;
        try
        {
            var store = new LocalMediaStore(root);
            store.EnsureCreated();
            var id = TitleId.New();
            await Media.ClipAsync(Path.Combine(store.Uploads, id + ".mp4"), 320, 180, 2);
            var now = DateTimeOffset.UtcNow;
            await store.WriteTitleAsync(new Title { Id = id, Name = "left queued", Status = TitleStatus.Queued, CreatedAt = now, UpdatedAt = now, Source = id + ".mp4" });

            var stack = new StackFixture { ExistingMediaRoot = root };
            await stack.InitializeAsync();
            try
            {
                var title = await stack.WaitForFinalAsync(id);

                Assert.Equal(TitleStatus.Ready, title.Status);
                Assert.Equal("left queued", title.Name);
                Assert.Equal(["180p"], title.Renditions.Select(r => r.Name));
            }
            finally
            {
                await stack.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Reconcile_QueuedTitleWhoseJobWasLost_EnqueuesAndTranscodesIt()
    {
        // A title that got its 202 but whose job never reached the stream (the origin died between the two, or a Redis
        // failover dropped the entry), with the origin already running, so its start-up recovery is over.
        var stack = new StackFixture { Settings = new Dictionary<string, string> { ["Jobs__ReconcileInterval"] = "00:00:02" } };
        await stack.InitializeAsync();
        try
        {
            stack.Store.EnsureCreated();
            var id = TitleId.New();
            await Media.ClipAsync(Path.Combine(stack.Store.Uploads, id + ".mp4"), 320, 180, 2);
            var queuedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
            await stack.Store.WriteTitleAsync(new Title { Id = id, Name = "lost job", Status = TitleStatus.Queued, CreatedAt = queuedAt, UpdatedAt = queuedAt, Source = id + ".mp4" });

            var title = await stack.WaitForFinalAsync(id, TimeSpan.FromSeconds(60));

            Assert.Equal(TitleStatus.Ready, title.Status);
            Assert.Contains($"Title {id} is queued but has no job in the stream", stack.Origin.Log, StringComparison.Ordinal);
        }
        finally
        {
            await stack.DisposeAsync();
        }
    }
}
