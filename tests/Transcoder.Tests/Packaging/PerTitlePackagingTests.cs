using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vod.Media.Probing;
using Vod.Transcoder.Ladder;
using Vod.Transcoder.Ladder.PerTitle;
using Vod.Transcoder.Packaging;
using Xunit.Abstractions;

namespace Vod.Transcoder.Tests.Packaging;

/// <summary>
/// Real ffmpeg, the packager in per-title mode end to end (samples, trials, choice, the real encode): a simple clip's
/// top rung costs far fewer bits than a complex clip's, at no worse PSNR, and every rung carries what its trial measured.
/// </summary>
public sealed class PerTitlePackagingTests(ITestOutputHelper output)
{
    // A small grid on small clips keeps the test to seconds; the product's default grid is PerTitleOptions' own.
    private static LadderOptions PerTitle() => new()
    {
        Mode = LadderMode.PerTitle,
        Preset = "veryfast",
        PerTitle = new PerTitleOptions { TrialHeights = [360, 240], TrialCrfs = [22, 28, 34], Samples = 2, SampleSeconds = 1 },
    };

    private static async Task<(string Clip, SourceInfo Source)> ClipAsync(TempDirectory dir, string name, string video)
    {
        var clip = dir.Combine(name);
        await Ffmpeg.RunAsync([
            "-nostdin", "-hide_banner", "-loglevel", "error",
            "-f", "lavfi", "-i", video, "-t", "4",
            "-c:v", "libx264", "-preset", "ultrafast", "-crf", "10", "-pix_fmt", "yuv420p", clip,
        ]);
        return (clip, await SourceProbe.ProbeAsync(clip, new ProbeOptions(), CancellationToken.None));
    }

    private async Task<PackagedLadder> PackageAsync(TempDirectory dir, string name, string video)
    {
        var (clip, source) = await ClipAsync(dir, name + ".mp4", video);
        var options = Options.Create(PerTitle());
        var packager = new LadderPackager(options, new ComplexityPass(options, NullLogger<ComplexityPass>.Instance), NullLogger<LadderPackager>.Instance);
        var ladder = Directory.CreateDirectory(dir.Combine(name, "ladder")).FullName;
        var packaged = await packager.PackageAsync(clip, source, ladder, dir.Combine(name), _ => { }, CancellationToken.None);
        foreach (var r in packaged.Renditions)
        {
            output.WriteLine($"{name}: {r.Name} {r.Width}x{r.Height} avg {r.AverageBandwidth / 1000} kb/s peak {r.Bandwidth / 1000} kb/s, crf {r.Quality?.Crf}, sample {r.Quality?.SampleKbps} kb/s, PSNR {r.Quality?.Psnr}, SSIM {r.Quality?.Ssim}");
        }

        Assert.False(Directory.Exists(Path.Combine(ladder, ComplexityPass.TrialsDirectory))); // the trials stay out of the version
        return packaged;
    }

    [Fact]
    public async Task PackageAsync_SimpleAndComplexClips_TheSimpleTopRungCostsFarLessAtNoWorsePsnr()
    {
        using var dir = new TempDirectory();
        var simple = await PackageAsync(dir, "simple", "testsrc=size=640x360:rate=25");
        var complex = await PackageAsync(dir, "complex", "testsrc2=size=640x360:rate=25,noise=alls=60:allf=t+u");

        foreach (var ladder in new[] { simple, complex })
        {
            Assert.NotEmpty(ladder.Renditions);
            Assert.All(ladder.Renditions, r => Assert.NotNull(r.Quality));
            Assert.Equal(ladder.Renditions.Count, ladder.Renditions.Select(r => r.Height).Distinct().Count());
            Assert.All(ladder.Renditions, r => Assert.InRange(r.Height, 2, 360)); // never above the source
        }

        var (simpleTop, complexTop) = (simple.Renditions[0], complex.Renditions[0]);
        Assert.True(simpleTop.AverageBandwidth < complexTop.AverageBandwidth / 2,
            $"simple top {simpleTop.AverageBandwidth} b/s, complex top {complexTop.AverageBandwidth} b/s");
        Assert.True(simpleTop.Quality!.Psnr >= complexTop.Quality!.Psnr, $"simple top PSNR {simpleTop.Quality.Psnr}, complex {complexTop.Quality.Psnr}");
    }
}
