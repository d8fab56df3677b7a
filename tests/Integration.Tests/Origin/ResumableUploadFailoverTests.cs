using System.Net;
using System.Security.Cryptography;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;
using Media = Vod.Integration.Tests.Infrastructure.Media;

namespace Vod.Integration.Tests.Origin;

/// <summary>
/// A resumable upload outlives its connection and its origin: two origins over one media root and one Redis, the
/// transfer cut, the origin that took it SIGKILLed mid-body, and the rest sent through the other origin. Kills
/// processes, so it has a stack of its own.
/// </summary>
[Collection(SerialDefinition.Name)]
public sealed class ResumableUploadFailoverTests(ResumableUploadFailoverTests.TwoOrigins fixture) : IClassFixture<ResumableUploadFailoverTests.TwoOrigins>
{
    private StackFixture Stack => fixture.Stack;

    [Fact]
    public async Task Patch_DroppedThenOriginKilledMidBody_ResumesOnTheOtherOriginToAReadyTitleWithTheSameBytes()
    {
        var clip = await File.ReadAllBytesAsync(await Media.ClipAsync(Path.Combine(Stack.Work, "resumable.mp4"), 320, 180, 3));
        var (first, second) = (Stack.Origins[0], Stack.Origins[1]);
        var url = await Tus.CreateAsync(Stack.Http, first.BaseUrl, clip.Length, "resumable.mp4", "Resumed elsewhere");
        var path = new Uri(url).AbsolutePath;
        var quarter = clip.Length / 4;

        // A first quarter, whole.
        using (var patch = await Tus.PatchAsync(Stack.Http, url, 0, clip.AsMemory(0, quarter)))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        }

        // The network drops halfway through the second quarter: what arrived counts, nothing more.
        await Tus.PatchCutAsync(url, quarter, clip.AsMemory(quarter, quarter / 2), clip.Length - quarter, hold: false);
        long dropped = 0;
        await Eventually.TrueAsync(async () => (dropped = (await Tus.HeadAsync(Stack.Http, url)).Offset ?? 0) > quarter, TimeSpan.FromSeconds(10),
            "the bytes of the dropped PATCH were not kept: " + string.Join("\n", first.Log.Split('\n').Where(l => l.Contains("Resumable", StringComparison.Ordinal) || l.Contains("xception", StringComparison.Ordinal) || l.Contains("fail", StringComparison.Ordinal) || l.Contains("PATCH", StringComparison.Ordinal))));
        Assert.InRange(dropped, quarter + 1, quarter + (quarter / 2));

        // Then the origin dies in the middle of the next PATCH's body, before it could commit.
        using (var cut = await Tus.PatchCutAsync(url, dropped, clip.AsMemory((int)dropped, quarter / 2), clip.Length - dropped, hold: true))
        {
            await Task.Delay(300); // the origin has read and written what was sent
            first.Signal(Signals.Kill);
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the first origin did not die");
        }

        // The other origin knows the upload, at the last committed offset.
        var resumed = second.BaseUrl + path;
        var (status, offset) = await Tus.HeadAsync(Stack.Http, resumed);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(dropped, offset);

        using var final = await Tus.PatchAsync(Stack.Http, resumed, dropped, clip.AsMemory((int)dropped));
        Assert.Equal(HttpStatusCode.NoContent, final.StatusCode);
        Assert.Equal(clip.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Tus.Header(final, "Upload-Offset"));
        var titleId = Tus.Header(final, "Vod-Title");
        Assert.NotNull(titleId);

        var title = await Stack.WaitForFinalAsync(titleId);
        Assert.Equal(TitleStatus.Ready, title.Status);
        Assert.Equal("Resumed elsewhere", title.Name);
        var stored = (await Stack.Store.ReadTitleAsync(titleId))!.Source;
        Assert.Equal(SHA256.HashData(clip), SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(Stack.Store.Uploads, stored))));

        // Nothing left behind: no partial file, no temp file; a HEAD still names the title.
        var id = path[(path.LastIndexOf('/') + 1)..];
        Assert.False(File.Exists(Stack.Store.PartialFile(id)));
        Assert.Empty(Directory.EnumerateFiles(Stack.Store.Uploads, ".tmp-*"));
        using var head = await Stack.Http.SendAsync(Tus.Request(HttpMethod.Head, resumed));
        Assert.Equal(titleId, Tus.Header(head, "Vod-Title"));
    }

    [Fact]
    public async Task Upload_IdleBeyondItsExpiry_IsSweptWithItsBytes()
    {
        await using var origin = await Stack.StartExtraOriginAsync("origin-short-expiry", new Dictionary<string, string>
        {
            ["Uploads__Expiry"] = "00:00:02",
            ["Uploads__SweepInterval"] = "00:00:00.200",
        });
        var url = await Tus.CreateAsync(Stack.Http, origin.BaseUrl, 1000, "idle.bin");
        var id = url[(url.LastIndexOf('/') + 1)..];
        using (var patch = await Tus.PatchAsync(Stack.Http, url, 0, new byte[400]))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
            var expires = DateTimeOffset.Parse(Tus.Header(patch, "Upload-Expires")!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(expires, DateTimeOffset.UtcNow.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(4));
        }

        Assert.True(File.Exists(Stack.Store.PartialFile(id)));

        await Eventually.TrueAsync(async () => (await Tus.HeadAsync(Stack.Http, url)).Status == HttpStatusCode.NotFound, TimeSpan.FromSeconds(10),
            "the expired upload was not swept");
        Assert.False(File.Exists(Stack.Store.PartialFile(id)), "the expired upload's bytes are still on disk");
    }

    /// <summary>Two origins, one transcoder, one Redis.</summary>
    public sealed class TwoOrigins : IAsyncLifetime
    {
        public StackFixture Stack { get; } = new() { OriginCount = 2 };

        public Task InitializeAsync() => Stack.InitializeAsync();

        public Task DisposeAsync() => Stack.DisposeAsync();
    }
}
