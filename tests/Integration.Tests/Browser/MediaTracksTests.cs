using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Vod.Common.Catalog;
using Vod.Integration.Tests.Infrastructure;
using Media = Vod.Integration.Tests.Infrastructure.Media;

namespace Vod.Integration.Tests.Browser;

/// <summary>
/// A source with two audio streams and a subtitle stream (Matroska: English and French audio, the second titled, and
/// English SubRip) gives two audio tracks and one subtitle track, each in every pathway's group of the master and in
/// the MPD; the watch page offers both menus, plays the audio chosen and shows the subtitle cues at their times. An
/// admin then adds an SRT file (a new version of the title, whose cues the page shows too), bad files are refused with
/// the reason and change nothing, and a track can be removed.
/// </summary>
[Collection(StackDefinition.Name)]
public sealed partial class MediaTracksTests(StackFixture stack)
{
    private const string SourceSubtitles = "1\n00:00:01,000 --> 00:00:03,000\nHello from the source\n\n2\n00:00:05,000 --> 00:00:07,500\n<i>Second</i> line\n";

    private static async Task<string> TwoLanguageClipAsync(string directory)
    {
        var srt = Path.Combine(directory, "source.srt");
        await File.WriteAllTextAsync(srt, SourceSubtitles);
        var path = Path.Combine(directory, "two-languages.mkv");
        var result = await Media.RunAsync("ffmpeg",
        [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=48000",
            "-i", srt,
            "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:s", "-t", "12",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-c:s", "srt",
            "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fre", "-metadata:s:a:1", "title=Français",
            "-metadata:s:s:0", "language=eng",
            path, // no -shortest: the subtitle stream ends at 7.5 s

        ]);
        Assert.True(result.ExitCode == 0, result.StandardError);
        return path;
    }

    [Fact]
    public async Task AudioAndSubtitleTracks_InEveryManifest_TheWatchPagePlaysTheAudioChosenAndShowsTheCues_AndAdminsAddAndRemoveSubtitles()
    {
        var title = await stack.UploadAndWaitAsync(await TwoLanguageClipAsync(stack.Work), TimeSpan.FromMinutes(2));
        Assert.Equal(TitleStatus.Ready, title.Status);
        Assert.Equal([("audio", "en", "English"), ("audio2", "fr", "Français")], title.Audio.Select(a => (a.Name, a.Language, a.Label)));
        Assert.Equal([("sub1", "en", "English", false)], title.Subtitles!.Select(s => (s.Name, s.Language, s.Label, s.Uploaded)));

        var master = await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}/play/{title.Id}/master.m3u8");
        foreach (var edge in stack.Edges)
        {
            Assert.Contains($"GROUP-ID=\"audio-{edge.Name}\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES", master, StringComparison.Ordinal);
            Assert.Contains($"GROUP-ID=\"audio-{edge.Name}\",NAME=\"Français\",LANGUAGE=\"fr\",DEFAULT=NO", master, StringComparison.Ordinal);
            Assert.Contains($"TYPE=SUBTITLES,GROUP-ID=\"subs-{edge.Name}\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=NO", master, StringComparison.Ordinal);
            Assert.Contains($",SUBTITLES=\"subs-{edge.Name}\",PATHWAY-ID=\"{edge.Name}\"", master, StringComparison.Ordinal);
        }

        var mpd = await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}/play/{title.Id}/manifest.mpd");
        Assert.Equal(["en", "fr"], Regex.Matches(mpd, "contentType=\"audio\" mimeType=\"audio/mp4\" lang=\"([a-z]+)\"").Select(m => m.Groups[1].Value));
        Assert.Contains("contentType=\"text\" mimeType=\"text/vtt\" lang=\"en\"", mpd, StringComparison.Ordinal);
        var french = await Media.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-i", $"{stack.Origin.BaseUrl}/play/{title.Id}/manifest.mpd", "-map", "0:a:1", "-f", "null", "-progress", "pipe:1", "-"]);
        Assert.True(french.ExitCode == 0 && french.StandardError.Length == 0, french.StandardError);
        Assert.InRange(Regex.Matches(french.StandardOutput, @"out_time_us=(\d+)").Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Max() / 1e6, 11.5, 12.5);

        await using var browser = await Chromium.LaunchAsync();
        var page = await WatchPage.PlayAsync(browser, stack, title.Id);
        Assert.False(await page.IsHiddenAsync("#audio-menu"));
        Assert.Equal(["English (en)", "Français (fr)"], await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#audio option')].map(o => o.textContent)"));
        Assert.False(await page.IsHiddenAsync("#subtitles-menu"));
        Assert.Equal(["Off", "English (en)"], await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#subtitles option')].map(o => o.textContent)"));
        Assert.Equal(0, await ShowingTracksAsync(page)); // none is on by default

        await page.SelectOptionAsync("#audio", "1");
        await Chromium.WaitForAsync(page,
            "vodPlayer.hls.audioTrack === 1 && performance.getEntriesByType('resource').some(e => e.name.includes('/audio2/media.mp4'))",
            TimeSpan.FromSeconds(15), () => WatchPage.DiagnosticsAsync(page));
        Assert.Equal("fr", await page.EvaluateAsync<string>("() => vodPlayer.hls.audioTracks[vodPlayer.hls.audioTrack].lang"));

        // The embedded track's cues, at the times the source gave them (through an edge).
        await page.SelectOptionAsync("#subtitles", "0");
        var cues = await ShownCuesAsync(page, 2);
        AssertCue(cues[0], 1.0, 3.0, "Hello from the source");
        AssertCue(cues[1], 5.0, 7.5, "Second");
        Assert.True(await page.EvaluateAsync<bool>(
            "edges => performance.getEntriesByType('resource').some(e => e.name.includes('/subtitles/sub1.vtt') && edges.some(h => new URL(e.name).host === h))",
            stack.Edges.Select(WatchPage.Authority).ToArray()));

        // Both DASH players load the MPD with its text adaptation set, list the track and play on.
        (string Page, string Tracks)[] dashPlayers =
        [
            ("players/shaka/{0}?format=dash", "shakaPlayer.getTextTracks().map(t => t.language)"),
            ("players/dashjs/{0}", "dashPlayer.getTracksFor('text').map(t => t.lang)"),
        ];
        foreach (var (path, tracks) in dashPlayers)
        {
            var dash = await browser.NewPageAsync();
            await dash.GotoAsync($"{stack.Origin.BaseUrl}/{string.Format(CultureInfo.InvariantCulture, path, title.Id)}");
            await Chromium.WaitForAsync(dash, "window.playerStats && playerStats.currentTime > 2", TimeSpan.FromSeconds(30),
                () => dash.EvaluateAsync<string>("() => JSON.stringify(window.playerStats)"));
            Assert.Equal(["en"], await dash.EvaluateAsync<string[]>($"() => {tracks}"));
            Assert.Null(await dash.EvaluateAsync<string?>("() => playerStats.fatal"));
            await dash.CloseAsync();
        }

        // An admin adds an SRT file (a BOM and CRLF line ends, as Windows tools write them): a new version.
        var srt = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("1\r\n00:00:02,000 --> 00:00:04,000\r\nBonjour\r\n\r\n2\r\n00:00:08,250 --> 00:00:09,750\r\nAu revoir & merci\r\n")).ToArray();
        using (var added = await PostSubtitlesAsync(title.Id, srt, "fr", "Français (ajouté)"))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            var body = (await added.Content.ReadFromJsonAsync<TitleDto>(StackFixture.JsonOptions))!;
            Assert.Equal([("sub1", "en", false), ("sub2", "fr", true)], body.Subtitles!.Select(s => (s.Name, s.Language, s.Uploaded)));
        }

        var edited = await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}/play/{title.Id}/master.m3u8");
        Assert.NotEqual(VersionOf(master), VersionOf(edited));
        Assert.Contains("NAME=\"Français (ajouté)\",LANGUAGE=\"fr\"", edited, StringComparison.Ordinal);
        var vtt = await stack.Http.GetStringAsync($"{stack.Edges[0].BaseUrl}/titles/{title.Id}/{VersionOf(edited)}/subtitles/sub2.vtt");
        Assert.StartsWith("WEBVTT\n\n00:00:02.000 --> 00:00:04.000\nBonjour\n", vtt, StringComparison.Ordinal);

        await page.ReloadAsync();
        await Chromium.WaitForAsync(page, "window.vodPlayer && vodPlayer.stats.state === 'playing' && vodPlayer.hls.subtitleTracks.length === 2",
            TimeSpan.FromSeconds(30), () => WatchPage.DiagnosticsAsync(page));
        await page.SelectOptionAsync("#subtitles", "1");
        cues = await ShownCuesAsync(page, 2);
        AssertCue(cues[0], 2.0, 4.0, "Bonjour");
        AssertCue(cues[1], 8.25, 9.75, "Au revoir");

        // Bad files and fields: 422 (or 401, 413) with the reason, and the title stays as it was.
        (byte[] File, string Language, string Expected)[] refused =
        [
            ([0, 0, 0, 0x20, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m', 0, 0, 2, 0], "en", "MP4"),
            (Encoding.UTF8.GetBytes("1\n00:00:05,000 --> 00:00:06,000\nlater\n\n2\n00:00:01,000 --> 00:00:02,000\nearlier\n"), "en", "time order"),
            ([.. Encoding.UTF8.GetBytes("1\n00:00:01,000 --> 00:00:02,000\n"), 0xC9, (byte)'t', 0xE9, (byte)'\n'], "fr", "UTF-8"),
            (Encoding.UTF8.GetBytes("1\n00:10:00,000 --> 00:10:02,000\nfar too late\n"), "en", "after the end of the video"),
            (Encoding.UTF8.GetBytes("{\"not\": \"subtitles\"}"), "en", "neither WebVTT"),
            (srt, "english", "BCP 47"),
        ];
        foreach (var (file, language, expected) in refused)
        {
            using var response = await PostSubtitlesAsync(title.Id, file, language, null);
            var problem = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity && problem.Contains(expected, StringComparison.Ordinal), $"{expected}: {(int)response.StatusCode} {problem}");
        }

        using (var anonymous = await PostSubtitlesAsync(title.Id, srt, "fr", null, adminKey: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var huge = await PostSubtitlesAsync(title.Id, new byte[(4 << 20) + 1], "fr", null))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        }

        Assert.Equal(VersionOf(edited), VersionOf(await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}/play/{title.Id}/master.m3u8")));

        // Removing the embedded track: another version, without it.
        using (var removed = await stack.Http.SendAsync(StackFixture.AdminRequest(HttpMethod.Delete, $"{stack.Origin.BaseUrl}/api/titles/{title.Id}/subtitles/sub1")))
        {
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
            Assert.Equal(["sub2"], (await removed.Content.ReadFromJsonAsync<TitleDto>(StackFixture.JsonOptions))!.Subtitles!.Select(s => s.Name));
        }

        var after = await stack.Http.GetStringAsync($"{stack.Origin.BaseUrl}/play/{title.Id}/master.m3u8");
        Assert.DoesNotContain("sub1.m3u8", after, StringComparison.Ordinal);
        Assert.Contains("sub2.m3u8", after, StringComparison.Ordinal);
        using var missing = await stack.Http.SendAsync(StackFixture.AdminRequest(HttpMethod.Delete, $"{stack.Origin.BaseUrl}/api/titles/{title.Id}/subtitles/sub1"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task<HttpResponseMessage> PostSubtitlesAsync(string titleId, byte[] file, string language, string? label, string? adminKey = StackFixture.AdminKey)
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(file), "file", "track.srt" },
            { new StringContent(language), "language" },
        };
        if (label is not null)
        {
            form.Add(new StringContent(label), "label");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{stack.Origin.BaseUrl}/api/titles/{titleId}/subtitles") { Content = form };
        if (adminKey is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminKey);
        }

        return await stack.Http.SendAsync(request);
    }

    private static string VersionOf(string master) => VersionPattern().Match(master).Groups[1].Value;

    [GeneratedRegex(@"/titles/[a-z0-9]+/(v\d+)/")]
    private static partial Regex VersionPattern();

    private static Task<int> ShowingTracksAsync(IPage page) =>
        page.EvaluateAsync<int>("() => [...document.getElementById('video').textTracks].filter(t => t.mode === 'showing').length");

    /// <summary>The cues of the text track the page shows, once it has at least <paramref name="count"/>.</summary>
    private static async Task<CueDto[]> ShownCuesAsync(IPage page, int count)
    {
        const string Showing = "[...document.getElementById('video').textTracks].find(t => t.mode === 'showing')";
        await Chromium.WaitForAsync(page, $"(() => {{ const t = {Showing}; return t && t.cues && t.cues.length >= {count}; }})()",
            TimeSpan.FromSeconds(15), () => WatchPage.DiagnosticsAsync(page));
        return await page.EvaluateAsync<CueDto[]>($"() => [...{Showing}.cues].map(c => ({{ start: c.startTime, end: c.endTime, text: c.text }}))");
    }

    /// <summary>A cue is where the file put it, within what a viewer could tell (a frame or two).</summary>
    private static void AssertCue(CueDto cue, double start, double end, string text)
    {
        Assert.True(Math.Abs(cue.Start - start) < 0.1 && Math.Abs(cue.End - end) < 0.1 && cue.Text.Contains(text, StringComparison.Ordinal),
            $"expected {start}-{end} '{text}', the page shows {cue.Start}-{cue.End} '{cue.Text}'");
    }

    /// <summary>A cue as the page reports it (Playwright fills settable properties).</summary>
    private sealed class CueDto
    {
        public double Start { get; set; }

        public double End { get; set; }

        public string Text { get; set; } = "";
    }
}
