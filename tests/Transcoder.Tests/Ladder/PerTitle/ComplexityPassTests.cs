using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vod.Media.Probing;
using Vod.Transcoder.Ladder;
using Vod.Transcoder.Ladder.PerTitle;
using Vod.Transcoder.Packaging;

namespace Vod.Transcoder.Tests.Ladder.PerTitle;

/// <summary>
/// The complexity pass with real ffmpeg on small sources (640x360, a few seconds, fewer heights and CRFs than the
/// defaults), and its pure parts (sample windows, trial sizes, stderr parsing) without.
/// </summary>
public sealed class ComplexityPassTests
{
    private static ComplexityPass Pass(IEnumerable<int> heights, IEnumerable<int> crfs, int samples = 3, double sampleSeconds = 1, bool reference = false) =>
        new(Options.Create(new LadderOptions
        {
            Preset = "veryfast",
            PerTitle = new PerTitleOptions
            {
                TrialHeights = [.. heights],
                TrialCrfs = [.. crfs],
                Samples = samples,
                SampleSeconds = sampleSeconds,
                KeepFixedTopQuality = reference,
            },
        }), NullLogger<ComplexityPass>.Instance);

    private static async Task<(string Clip, SourceInfo Source)> ClipAsync(TempDirectory dir, string name, string lavfi, double seconds)
    {
        var clip = dir.Combine(name);
        await Ffmpeg.RunAsync([
            "-nostdin", "-hide_banner", "-loglevel", "error",
            "-f", "lavfi", "-i", lavfi, "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p", clip,
        ]);
        return (clip, await SourceProbe.ProbeAsync(clip, new ProbeOptions(), CancellationToken.None));
    }

    [Fact]
    public async Task MeasureAsync_640x360Source_OnePointPerFittingHeightAndCrf_QualityAndBitsFallAsCrfRises()
    {
        using var dir = new TempDirectory();
        var (clip, source) = await ClipAsync(dir, "clip.mp4", "testsrc2=size=640x360:rate=25", 6);
        var scratch = Directory.CreateDirectory(dir.Combine("job")).FullName;

        var points = await Pass([1080, 360, 240], [23, 33]).MeasureAsync(clip, source, scratch, CancellationToken.None);

        // No 1080p (never upscale); sizes as the real ladder gives them; heights descending, CRF ascending.
        Assert.Equal(
            [(640, 360, 23), (640, 360, 33), (426, 240, 23), (426, 240, 33)],
            points.Select(p => (p.Width, p.Height, p.Crf)));
        Assert.Equal(
            LadderPlan.For([new RungOptions { Name = "a", Height = 360, VideoKbps = 1 }, new RungOptions { Name = "b", Height = 240, VideoKbps = 1 }], 640, 360).Select(r => (r.Width, r.Height)),
            points.Select(p => (p.Width, p.Height)).Distinct());
        foreach (var height in points.GroupBy(p => p.Height))
        {
            var (better, worse) = (height.First(), height.Last());
            Assert.True(worse.Kbps < better.Kbps, $"{height.Key}p: {worse} has no fewer bits than {better}");
            Assert.True(worse.Psnr < better.Psnr, $"{height.Key}p: {worse} has no lower PSNR than {better}");
        }

        Assert.All(points, p =>
        {
            Assert.InRange(p.Ssim, double.Epsilon, 1);
            Assert.InRange(p.Psnr, 20, 100);
            Assert.True(p.Kbps > 0, $"{p}");
        });
        Assert.True(points[0].Psnr > points[2].Psnr, "360p scaled back should beat 240p at the same CRF");
        Assert.False(Directory.Exists(Path.Combine(scratch, ComplexityPass.TrialsDirectory)), "the trials are removed after the pass");
    }

    [Fact]
    public async Task MeasureAsync_FlatColourAgainstNoise_FlatNeedsFarFewerBitsForAHigherPsnr()
    {
        using var dir = new TempDirectory();
        var (flatClip, flatSource) = await ClipAsync(dir, "flat.mp4", "color=c=0x3060a0:size=640x360:rate=25", 4);
        var (noiseClip, noiseSource) = await ClipAsync(dir, "noise.mp4", "testsrc2=size=640x360:rate=25,noise=alls=60:allf=t", 4);
        var pass = Pass([360], [28], samples: 2);

        var flat = Assert.Single(await pass.MeasureAsync(flatClip, flatSource, Directory.CreateDirectory(dir.Combine("flat")).FullName, CancellationToken.None));
        var noise = Assert.Single(await pass.MeasureAsync(noiseClip, noiseSource, Directory.CreateDirectory(dir.Combine("noise")).FullName, CancellationToken.None));

        Assert.True(flat.Kbps * 20 < noise.Kbps, $"flat {flat.Kbps} kb/s against noise {noise.Kbps} kb/s");
        Assert.True(flat.Psnr > noise.Psnr + 10, $"flat {flat.Psnr} dB against noise {noise.Psnr} dB");
        Assert.True(flat.Ssim > noise.Ssim, $"flat SSIM {flat.Ssim} against noise {noise.Ssim}");
    }

    [Fact]
    public async Task MeasureAsync_KeepFixedTopQuality_AddsTheFixedTopRungAsAReferenceTrial_EncodedAtItsBitrate()
    {
        using var dir = new TempDirectory();
        var (clip, source) = await ClipAsync(dir, "clip.mp4", "testsrc2=size=640x360:rate=25", 6);

        // The default fixed ladder's top rung for a 360p source is 360p at 700 kb/s: one more trial in the 360p group.
        var points = await Pass([360, 240], [23, 40], reference: true).MeasureAsync(clip, source, dir.Combine("job"), CancellationToken.None);
        var alone = await Pass([240], [23], reference: true).MeasureAsync(clip, source, dir.Combine("job2"), CancellationToken.None);

        Assert.Equal(
            [(640, 360, 23, null), (640, 360, 40, null), (640, 360, 0, 700), (426, 240, 23, null), (426, 240, 40, null)],
            points.Select(p => (p.Width, p.Height, p.Crf, p.FixedKbps)));
        var reference = points[2];
        Assert.InRange(reference.Kbps, 700 * 0.5, 700 * 1.3); // average bitrate mode: near its target, whatever the content
        Assert.InRange(reference.Psnr, points[1].Psnr, 100); // 700 kb/s is far above CRF 40's bits on 360p testsrc2
        Assert.True(points[1].Kbps < reference.Kbps, $"CRF 40 {points[1].Kbps} kb/s against the 700 kb/s reference {reference.Kbps}");

        // No 360p trial height: the reference is a group of its own, after the others.
        Assert.Equal([(426, 240, 23, null), (640, 360, 0, 700)], alone.Select(p => (p.Width, p.Height, p.Crf, p.FixedKbps)));
    }

    [Fact]
    public void TrialGroups_ReferenceJoinsItsSizesGroupOrFormsItsOwn_TrialsCommandEncodesItAtTheFixedRate()
    {
        var reference = new Rendition("1080p", 1920, 1080, 5000);

        var groups = ComplexityPass.TrialGroups([(1920, 1080), (1280, 720)], [22, 34], "/t", reference);
        var apart = ComplexityPass.TrialGroups([(1280, 720)], [22], "/t", reference);

        Assert.Equal(
            [[(1080, 22, null), (1080, 34, null), (1080, 0, 5000)], [(720, 22, null), (720, 34, null)]],
            groups.Select(g => g.Select(t => (t.Height, t.Crf, t.FixedKbps)).ToList()).ToList());
        Assert.Equal("/t/trial_1080p_fixed5000k.h264", groups[0][2].File);
        Assert.Equal([[(720, 22, (int?)null)], [(1080, 0, 5000)]], apart.Select(g => g.Select(t => (t.Height, t.Crf, t.FixedKbps)).ToList()).ToList());
        Assert.Equal([[(1080, 22, (int?)null)]], ComplexityPass.TrialGroups([(1920, 1080)], [22], "/t", null).Select(g => g.Select(t => (t.Height, t.Crf, t.FixedKbps)).ToList()).ToList());

        var args = ComplexityPass.TrialsCommand("/t/samples.mkv", groups[0], "veryfast", 100, 4).All.ToList();
        var crf34 = args.IndexOf("/t/trial_1080p_crf34.h264"); // the last output before the reference's arguments
        Assert.Equal(["-b:v", "5000k", "-maxrate", "5500k", "-bufsize", "10000k"], args.Skip(args.IndexOf("-b:v")).Take(6));
        Assert.True(args.IndexOf("-b:v") > crf34, "the reference's rate control belongs to the last output");
        Assert.Equal(2, args.Count(a => a == "-crf"));
        Assert.Equal("/t/trial_1080p_fixed5000k.h264", args[^1]);
    }

    [Fact]
    public async Task MeasureAsync_SourceShorterThanTheSamples_IsUsedWhole()
    {
        using var dir = new TempDirectory();
        var (clip, source) = await ClipAsync(dir, "short.mp4", "testsrc2=size=320x180:rate=25", 1.5);

        // 3 x 2 s of samples from 1.5 s, at heights all above the source: one trial at its own height.
        var point = Assert.Single(await Pass([1080, 720], [30], samples: 3, sampleSeconds: 2).MeasureAsync(clip, source, dir.Path, CancellationToken.None));

        Assert.Equal((320, 180, 30), (point.Width, point.Height, point.Crf));
        Assert.InRange(point.Psnr, 20, 100);
        Assert.InRange(point.Kbps, 1, 10_000);
    }

    [Fact]
    public async Task MeasureAsync_CancelledWhileEncodingAndScoring_KillsBothFfmpegsAndThrows()
    {
        using var dir = new TempDirectory();
        var (clip, source) = await ClipAsync(dir, "clip.mp4", "testsrc2=size=640x360:rate=25", 12);
        using var cancel = new CancellationTokenSource();

        // Four heights: the encode of one overlaps the scoring of the previous one three times.
        var pass = Pass([360, 288, 240, 180], [18, 23, 28, 33], sampleSeconds: 2).MeasureAsync(clip, source, dir.Combine("job"), cancel.Token);
        var deadline = Stopwatch.StartNew();
        var running = 0;
        while ((running = FfmpegProcessesIn(dir.Path).Count) < 2 && !pass.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(10);
        }

        Assert.False(pass.IsCompleted, "the pass ended before an encode and a scoring could be seen running together");
        Assert.Equal(2, running); // never more than two
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pass);
        Assert.Empty(FfmpegProcessesIn(dir.Path));
    }

    [Fact]
    public async Task MeasureAsync_NotAVideo_PackagingExceptionWithoutServerPaths()
    {
        using var dir = new TempDirectory();
        var input = dir.Combine("upload.mp4");
        await File.WriteAllBytesAsync(input, new byte[4096]);
        var source = new SourceInfo("mov,mp4,m4a,3gp,3g2,mj2", 640, 360, 25, [], TimeSpan.FromSeconds(10));

        var e = await Assert.ThrowsAsync<PackagingException>(() => Pass([360], [28]).MeasureAsync(input, source, dir.Combine("job"), CancellationToken.None));

        Assert.StartsWith("per-title complexity pass: ffmpeg failed cutting the samples: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(dir.Path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SampleWindows_SpreadEvenlyAndInsideTheTitle_WholeTitleWhenShorterThanTheSamples()
    {
        Assert.Equal([(9.0, 2.0), (29.0, 2.0), (49.0, 2.0)], ComplexityPass.SampleWindows(TimeSpan.FromSeconds(60), 3, 2));
        Assert.Equal([(0.125, 4.0), (4.375, 4.0)], ComplexityPass.SampleWindows(TimeSpan.FromSeconds(8.5), 2, 4));
        Assert.Equal([(0.25, 2.0)], ComplexityPass.SampleWindows(TimeSpan.FromSeconds(2.5), 1, 2));
        Assert.Empty(ComplexityPass.SampleWindows(TimeSpan.FromSeconds(6), 3, 2));
        Assert.Empty(ComplexityPass.SampleWindows(TimeSpan.FromSeconds(1.5), 3, 2));
    }

    [Fact]
    public void TrialSizes_NeverUpscale_ShortSourceGetsItsOwnEvenHeight()
    {
        Assert.Equal([(1920, 1080), (1280, 720), (854, 480), (640, 360), (426, 240)], ComplexityPass.TrialSizes([1080, 720, 480, 360, 240], 1920, 1080));
        Assert.Equal([(640, 360), (426, 240)], ComplexityPass.TrialSizes([240, 1080, 360, 360], 640, 360));
        Assert.Equal([(320, 180)], ComplexityPass.TrialSizes([1080, 720], 321, 181));
    }

    [Fact]
    public void ParseScores_NamedFilterLinesMapToTheirTrials_InfinitePsnrIs100()
    {
        string[] stderr =
        [
            "[Parsed_scale_1 @ 0x55d0] some other line",
            "[ssim@t1 @ 0x55888c7ace00] SSIM Y:0.969608 (15.172375) U:0.983845 (17.916804) V:0.989541 (19.805087) All:0.975303 (16.073517)",
            "[psnr@t1 @ 0x55888c7a9700] PSNR y:35.821801 u:36.976932 v:35.755793 average:35.982705 min:35.480613 max:37.067137",
            "[psnr@t0 @ 0x55888c7a9480] PSNR y:inf u:inf v:inf average:inf min:inf max:inf",
            "[ssim@t0 @ 0x55888c7a9f80] SSIM Y:1.000000 (inf) U:1.000000 (inf) V:1.000000 (inf) All:1.000000 (inf)",
        ];

        var scores = ComplexityPass.ParseScores(stderr, 3);

        Assert.Equal([(100.0, 1.0), (35.821801, 0.975303), null], scores);
    }

    [Fact]
    public void ScoresCommand_EachTrialScaledBackAndComparedByNamedFilters_AgainstItsOwnReference()
    {
        var trials = new[] { new ComplexityPass.Trial(426, 240, 23, "/s/a.h264"), new ComplexityPass.Trial(426, 240, 33, "/s/b.h264") };

        var run = ComplexityPass.ScoresCommand("/s/samples.mkv", trials, 640, 360);

        Assert.Equal(["/s/samples.mkv", "/s/a.h264", "/s/b.h264"], run.Inputs.Select(i => i.Path));
        var graph = run.OutputArguments[run.OutputArguments.ToList().IndexOf("-filter_complex") + 1];
        Assert.Equal(
            "[0:v]settb=1/25,setpts=N,framestep=4,split=4[r0][r1][r2][r3]"
            + ";[1:v]settb=1/25,setpts=N,framestep=4,scale=640:360:flags=bicubic[d0];[d0][r0]psnr@t0[p0];[p0][r1]ssim@t0[s0]"
            + ";[2:v]settb=1/25,setpts=N,framestep=4,scale=640:360:flags=bicubic[d1];[d1][r2]psnr@t1[p1];[p1][r3]ssim@t1[s1]",
            graph);
        Assert.Equal(["-map", "[s0]", "-f", "null", "-", "-map", "[s1]", "-f", "null", "-"], run.All.TakeLast(10));
    }

    /// <summary>ffmpeg processes whose command line names a path under <paramref name="directory"/>.</summary>
    private static List<int> FfmpegProcessesIn(string directory)
    {
        var found = new List<int>();
        foreach (var process in Process.GetProcessesByName("ffmpeg"))
        {
            using (process)
            {
                try
                {
                    if (File.ReadAllText($"/proc/{process.Id}/cmdline").Contains(directory, StringComparison.Ordinal))
                    {
                        found.Add(process.Id);
                    }
                }
                catch (IOException)
                {
                    // Exited meanwhile.
                }
            }
        }

        return found;
    }
}
