using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vod.Transcoder.Trickplay;

namespace Vod.Transcoder.Tests.Trickplay;

/// <summary>Real ffmpeg: a 12 s clip becomes sheets and a storyboard whose every cue points inside a real sheet.</summary>
public sealed partial class SpriteSheetsTests
{
    [Fact]
    public async Task MakeAsync_TwelveSecondClip_CuesCoverTheDurationAndPointInsideTheirSheets()
    {
        using var dir = new TempDirectory();
        var clip = dir.Combine("clip.mp4");
        await Ffmpeg.TestClipAsync(clip, 640, 360, 12);
        // A 2 x 1 grid so that the 3 tiles take two sheets (the last one partly filled).
        var sheets = new SpriteSheets(Options.Create(new TrickplayOptions { Columns = 2, Rows = 1 }), NullLogger<SpriteSheets>.Instance);

        var info = await sheets.MakeAsync(clip, 640, 360, TimeSpan.FromSeconds(12), dir.Path, CancellationToken.None);

        Assert.NotNull(info);
        Assert.Equal(("trickplay/storyboard.vtt", 5.0, 160, 90, 3, 2), (info.Storyboard, info.IntervalSeconds, info.TileWidth, info.TileHeight, info.Tiles, info.Sheets));
        var vtt = await File.ReadAllTextAsync(dir.Combine("trickplay", "storyboard.vtt"));
        Assert.StartsWith("WEBVTT\n", vtt, StringComparison.Ordinal);
        var cues = Cue().Matches(vtt).Select(m => (
            Start: TimeSpan.Parse(m.Groups["start"].Value, CultureInfo.InvariantCulture),
            End: TimeSpan.Parse(m.Groups["end"].Value, CultureInfo.InvariantCulture),
            Sheet: m.Groups["sheet"].Value,
            X: int.Parse(m.Groups["x"].Value, CultureInfo.InvariantCulture),
            Y: int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture),
            W: int.Parse(m.Groups["w"].Value, CultureInfo.InvariantCulture),
            H: int.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture))).ToList();

        Assert.Equal(3, cues.Count);
        Assert.Equal(TimeSpan.Zero, cues[0].Start);
        Assert.Equal(TimeSpan.FromSeconds(12), cues[^1].End);
        Assert.All(cues.Zip(cues.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.Start)); // no gaps, in order
        Assert.All(cues, c => Assert.True(c.End > c.Start));
        Assert.Equal(["sheet_000.jpg", "sheet_001.jpg"], Directory.GetFiles(dir.Combine("trickplay"), "*.jpg").Select(Path.GetFileName).Order());
        foreach (var cue in cues)
        {
            var (width, height) = await SizeOfAsync(dir.Combine("trickplay", cue.Sheet));
            Assert.Equal((320, 90), (width, height)); // a 2 x 1 sheet of 160 x 90 tiles, the partial last one too
            Assert.Equal((160, 90), (cue.W, cue.H));
            Assert.True(cue.X >= 0 && cue.Y >= 0 && cue.X + cue.W <= width && cue.Y + cue.H <= height, $"{cue} outside {width}x{height}");
        }
    }

    [GeneratedRegex(@"(?<start>\d\d:\d\d:\d\d\.\d{3}) --> (?<end>\d\d:\d\d:\d\d\.\d{3})\n(?<sheet>sheet_\d{3}\.jpg)#xywh=(?<x>\d+),(?<y>\d+),(?<w>\d+),(?<h>\d+)\n")]
    private static partial Regex Cue();

    private static async Task<(int Width, int Height)> SizeOfAsync(string image)
    {
        var start = new ProcessStartInfo("/usr/bin/ffprobe") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", image })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var parts = output.Trim().Split(',');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
