using System.Globalization;
using System.Text.RegularExpressions;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.EndToEnd;

/// <summary>
/// The product's default ladder, per-title, through the whole stack (the other stack tests pin the fixed ladder,
/// <see cref="StackFixture.FixedLadder"/>): a transcoder started without any ladder setting runs the complexity pass,
/// publishes rungs that each carry what their trial measured, keeps no trial file anywhere, and the title plays through
/// an edge to its end.
/// </summary>
public sealed class PerTitleLadderTests : IAsyncLifetime
{
    private readonly StackFixture _stack = new() { FixedLadder = false };

    public Task InitializeAsync() => _stack.InitializeAsync();

    public Task DisposeAsync() => _stack.DisposeAsync();

    [Fact]
    public async Task DefaultLadder_IsPerTitle_RungsCarryTheirMeasuredQuality_NoTrialLeftBehind_PlaysThroughAnEdge()
    {
        var clip = await Media.ClipAsync(Path.Combine(_stack.Work, "per-title.mp4"), 640, 360, 8);

        var title = await _stack.UploadAndWaitAsync(clip, TimeSpan.FromMinutes(2));

        Assert.Equal(TitleStatus.Ready, title.Status);
        Assert.NotEmpty(title.Renditions);
        Assert.All(title.Renditions, r =>
        {
            Assert.Equal($"{r.Height}p", r.Name);
            var q = Assert.IsType<RenditionQuality>(r.Quality); // only a per-title rung has one
            Assert.InRange(q.Psnr, 20, 100);
            Assert.InRange(q.Ssim, 0.5, 1);
            Assert.InRange(q.SampleKbps, 1, 10_000);
            Assert.True(q.Crf is null or (>= 0 and <= 51), $"CRF {q.Crf}");
        });
        Assert.Equal(title.Renditions.Select(r => r.Height).OrderDescending(), title.Renditions.Select(r => r.Height));
        Assert.Equal(title.Renditions.Count, title.Renditions.Select(r => r.Height).Distinct().Count());
        Assert.Equal(360, title.Renditions[0].Height); // never above the source, and the top rung is the source's size

        // The version holds the ladder, nothing of the complexity pass; staging is empty.
        var version = Path.GetDirectoryName(await _stack.PublishedFileAsync(title.Id, "master.m3u8"))!;
        Assert.Empty(Directory.EnumerateFileSystemEntries(version, "*trial*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_stack.Store.Staging));

        var play = await Media.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-i", $"{_stack.Origin.BaseUrl}{title.PlaybackUrl}", "-f", "null", "-progress", "pipe:1", "-"]);
        Assert.True(play.ExitCode == 0, play.StandardError);
        var decoded = Regex.Matches(play.StandardOutput, @"out_time_us=(\d+)").Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Max();
        Assert.InRange(decoded / 1e6, 7.9, 8.5);
    }
}
