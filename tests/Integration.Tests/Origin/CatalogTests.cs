using System.Net;
using System.Net.Http.Json;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Origin;

[Collection(UntimedStackDefinition.Name)]
public sealed class CatalogTests(StackFixture stack)
{
    [Fact]
    public async Task Upload_Accepted_ReturnsLocationAndQueuedTitleWithSanitizedName()
    {
        var clip = await Media.ClipAsync(Path.Combine(stack.Work, "named.mp4"), 160, 90, 1);

        using var response = await stack.UploadAsync(clip, name: "  My\u0007 first\u202E   title ");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var title = (await response.Content.ReadFromJsonAsync<TitleDto>(StackFixture.JsonOptions))!;
        Assert.Equal($"/api/titles/{title.Id}", response.Headers.Location!.OriginalString);
        Assert.Equal("My first title", title.Name);
        Assert.Equal(TitleStatus.Queued, title.Status);
        Assert.True(File.Exists(stack.Store.TitleFile(title.Id)));

        var listed = await stack.ListTitlesAsync(); // as an admin: anonymous readers see ready titles only
        Assert.Contains(listed!, t => t.Id == title.Id);
        await stack.WaitForFinalAsync(title.Id);
    }

    [Fact]
    public async Task Delete_ReadyTitle_RemovesItFromCatalogDiskAndServing()
    {
        var clip = await Media.ClipAsync(Path.Combine(stack.Work, "doomed.mp4"), 320, 180, 2);
        var title = await stack.UploadAndWaitAsync(clip);
        Assert.Equal(TitleStatus.Ready, title.Status);
        var relative = $"/titles/{title.Id}/{(await stack.Store.ReadTitleAsync(title.Id))!.Version}/180p/index.m3u8";
        var playlist = stack.Origin.BaseUrl + relative;
        var throughEdge = stack.Edges[0].BaseUrl + relative;
        Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync(playlist)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync(throughEdge)).StatusCode); // now cached on the edge

        using var unauthorized = await stack.Http.DeleteAsync($"{stack.Origin.BaseUrl}/api/titles/{title.Id}");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);

        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"{stack.Origin.BaseUrl}/api/titles/{title.Id}");
        delete.Headers.Authorization = new("Bearer", StackFixture.AdminKey);
        using var deleted = await stack.Http.SendAsync(delete);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Null(await stack.GetTitleAsync(title.Id));
        Assert.False(Directory.Exists(stack.Store.TitleDirectory(title.Id)));
        Assert.Empty(Directory.GetFiles(stack.Store.Uploads, title.Id + ".*"));
        Assert.Equal(HttpStatusCode.NotFound, (await stack.Http.GetAsync($"{stack.Origin.BaseUrl}/play/{title.Id}/master.m3u8")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stack.Http.GetAsync(playlist)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stack.Http.GetAsync(throughEdge)).StatusCode); // purged from the edge
    }

    [Fact]
    public async Task Play_TitleNotReady_Is409WithStatus()
    {
        // A bad source is refused at upload now (422), so a title whose transcode failed is written to the store directly.
        var title = new Title
        {
            Id = Vod.Common.Hls.TitleId.New(),
            Name = "failed transcode",
            Status = TitleStatus.Failed,
            Error = "ffmpeg crashed",
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
            Source = "gone.mp4",
        };
        await stack.Store.WriteTitleAsync(title, CancellationToken.None);

        using var response = await stack.Http.GetAsync($"{stack.Origin.BaseUrl}/play/{title.Id}/master.m3u8");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("failed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_AllServices_AreLiveAndReady()
    {
        foreach (var service in stack.Edges.Append(stack.Origin).Append(stack.Transcoder))
        {
            Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync(service.BaseUrl + "/healthz")).StatusCode);
            using var ready = await stack.Http.GetAsync(service.BaseUrl + "/readyz");
            Assert.True(ready.IsSuccessStatusCode, $"{service.Name} not ready: {await ready.Content.ReadAsStringAsync()}");
        }
    }
}
