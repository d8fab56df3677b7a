using System.Globalization;
using System.Text.RegularExpressions;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;
using Media = Vod.Integration.Tests.Infrastructure.Media;

namespace Vod.Integration.Tests.Browser;

/// <summary>
/// A source with two audio streams (Matroska, English and French tags, the second titled) gives two audio tracks: each its own rendition with its
/// language, in every pathway's audio group of the master and as two audio adaptation sets of the MPD; ffmpeg decodes
/// the second one through the edges; and the watch page offers both in its audio menu and plays the one chosen.
/// </summary>
[Collection(StackDefinition.Name)]
public sealed partial class AudioTracksTests(StackFixture stack)
{
    private static async Task<string> TwoLanguageClipAsync(string path)
    {
        var result = await Media.RunAsync("ffmpeg",
        [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=48000",
            "-map", "0:v", "-map", "1:a", "-map", "2:a", "-t", "12",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fre", "-metadata:s:a:1", "title=Français",
            "-shortest", path,
        ]);
        Assert.True(result.ExitCode == 0, result.StandardError);
        return path;
    }

    [Fact]
    public async Task TwoAudioStreams_TwoTracksInEveryManifest_AndTheWatchPagePlaysTheOneChosen()
    {
        var title = await stack.UploadAndWaitAsync(await TwoLanguageClipAsync(Path.Combine(stack.Work, "two-languages.mkv")), TimeSpan.FromMinutes(2));
        Assert.Equal(TitleStatus.Ready, title.Status);
        Assert.Equal([("audio", "en", "English"), ("audio2", "fr", "Français")], title.Audio.Select(a => (a.Name, a.Language, a.Label)));

        var master = await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}/play/{title.Id}/master.m3u8");
        foreach (var edge in stack.Edges)
        {
            Assert.Contains($"GROUP-ID=\"audio-{edge.Name}\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES", master, StringComparison.Ordinal);
            Assert.Contains($"GROUP-ID=\"audio-{edge.Name}\",NAME=\"Français\",LANGUAGE=\"fr\",DEFAULT=NO", master, StringComparison.Ordinal);
        }

        var mpd = await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}/play/{title.Id}/manifest.mpd");
        Assert.Equal(["en", "fr"], Regex.Matches(mpd, "contentType=\"audio\" mimeType=\"audio/mp4\" lang=\"([a-z]+)\"").Select(m => m.Groups[1].Value));
        var french = await Media.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-i", $"{stack.Origin.BaseUrl}/play/{title.Id}/manifest.mpd", "-map", "0:a:1", "-f", "null", "-progress", "pipe:1", "-"]);
        Assert.True(french.ExitCode == 0 && french.StandardError.Length == 0, french.StandardError);
        Assert.InRange(Regex.Matches(french.StandardOutput, @"out_time_us=(\d+)").Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Max() / 1e6, 11.5, 12.5);

        await using var browser = await Chromium.LaunchAsync();
        var page = await WatchPage.PlayAsync(browser, stack, title.Id);
        Assert.False(await page.IsHiddenAsync("#audio-menu"));
        Assert.Equal(["English (en)", "Français (fr)"], await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#audio option')].map(o => o.textContent)"));

        await page.SelectOptionAsync("#audio", "1");
        await Chromium.WaitForAsync(page,
            "vodPlayer.hls.audioTrack === 1 && performance.getEntriesByType('resource').some(e => e.name.includes('/audio2/media.mp4'))",
            TimeSpan.FromSeconds(15), () => WatchPage.DiagnosticsAsync(page));
        Assert.Equal("fr", await page.EvaluateAsync<string>("() => vodPlayer.hls.audioTracks[vodPlayer.hls.audioTrack].lang"));
    }
}
