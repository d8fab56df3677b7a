using Vod.Common.Catalog;
using Vod.Common.Hls;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Origin;

/// <summary>The disk is the source of truth: a title left queued while nothing ran is transcoded once the stack starts.</summary>
public sealed class RestartRecoveryTests
{
    [Fact]
    public async Task Start_WithQueuedTitleOnDiskAndEmptyRedis_ReenqueuesAndTranscodesIt()
    {
        var root = Directory.CreateTempSubdirectory("vod-restart-").FullName;
        try
        {
            var store = new MediaStore(root);
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
}
