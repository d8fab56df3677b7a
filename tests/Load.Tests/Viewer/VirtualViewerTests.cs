using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Vod.Load.Reporting;
using Vod.Load.Viewer;

namespace Vod.Load.Tests.Viewer;

/// <summary>
/// The viewer against an in-memory fleet of two pathways (no sockets) on a fake clock: playback pace, steering and
/// failover are checked without sleeping through the title.
/// </summary>
public sealed class VirtualViewerTests
{
    private const string Title = "t1";
    private static readonly Uri Master = new("http://127.0.0.1:5100/play/t1/master.m3u8");

    [Fact]
    public async Task PlayAsync_HealthyFleet_PlaysToTheEndOnTheSteeredPathwayWithoutRebuffer()
    {
        var fleet = new FakeFleet();
        var (outcome, result, failure, recorder) = await PlayAsync(fleet);

        Assert.Null(failure);
        Assert.Equal(SessionOutcome.Finished, outcome);
        Assert.Equal(0, result.Rebuffers);
        Assert.Equal(TimeSpan.FromSeconds(16), result.Watched);
        Assert.NotNull(result.Startup);
        Assert.InRange(result.Startup!.Value, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
        var byPathway = recorder.Snapshot().RequestsByPathway;
        Assert.True(byPathway.ContainsKey("edge-b")); // steering puts edge-b first although the master lists edge-a first
        Assert.False(byPathway.ContainsKey("edge-a"));
        // Paced by the buffer: with 12 s buffered and a 10 s target, the 4th segment waits until about 2 s in.
        Assert.True(fleet.LastSegmentAt > TimeSpan.FromSeconds(1.5), $"last segment fetched at {fleet.LastSegmentAt}");
    }

    [Fact]
    public async Task PlayAsync_SteeredEdgeAnswers503_FailsOverToTheNextPathway()
    {
        var fleet = new FakeFleet { Broken = { "edge-b" } };
        var (outcome, result, failure, recorder) = await PlayAsync(fleet);

        Assert.Null(failure);
        Assert.Equal(SessionOutcome.Finished, outcome);
        Assert.Equal(0, result.Rebuffers);
        var snapshot = recorder.Snapshot();
        Assert.Equal(2, snapshot.Errors["http 503"]); // one try and one retry on edge-b, then edge-a
        Assert.True(snapshot.RequestsByPathway["edge-a"] >= 6);
    }

    [Fact]
    public async Task PlayAsync_EveryEdgeBroken_FailsNamingEveryPathwayTried()
    {
        var fleet = new FakeFleet { Broken = { "edge-a", "edge-b" } };
        var (outcome, result, failure, _) = await PlayAsync(fleet);

        Assert.Equal(SessionOutcome.Failed, outcome);
        Assert.Null(result.Startup);
        Assert.Contains("edge-a: http 503", failure, StringComparison.Ordinal);
        Assert.Contains("edge-b: http 503", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlayAsync_EveryListedEdgeBrokenButSteeringClonesAnother_PlaysFromTheClone()
    {
        var fleet = new FakeFleet { Broken = { "edge-a", "edge-b" }, CloneEdgeC = true };
        var (outcome, _, failure, recorder) = await PlayAsync(fleet);

        Assert.Null(failure);
        Assert.Equal(SessionOutcome.Finished, outcome);
        Assert.True(recorder.Snapshot().RequestsByPathway["edge-c"] >= 6);
    }

    [Fact]
    public async Task PlayAsync_UnreadablePlaylist_FailsTheSessionNotTheRun()
    {
        var fleet = new FakeFleet { GarbagePlaylists = true };
        var (outcome, _, failure, _) = await PlayAsync(fleet);

        Assert.Equal(SessionOutcome.Failed, outcome);
        Assert.Contains("unreadable", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlayAsync_NonLoopbackEdgeInMaster_Refuses()
    {
        var fleet = new FakeFleet { EdgeHost = "10.0.0.7" };

        await Assert.ThrowsAsync<NotLoopbackException>(() => PlayAsync(fleet));
    }

    [Fact]
    public async Task PlayAsync_AudioGroup_LoadsTheAudioFromTheVideosPathwayAndCountsItsBytes()
    {
        var fleet = new FakeFleet { Audio = true };
        var (outcome, result, failure, recorder) = await PlayAsync(fleet);

        Assert.Null(failure);
        Assert.Equal(SessionOutcome.Finished, outcome);
        Assert.Equal(0, result.Rebuffers);
        Assert.Equal(TimeSpan.FromSeconds(16), result.Watched);
        var audio = fleet.Served.Where(r => r.Path.Contains("/audio/", StringComparison.Ordinal)).ToList();
        // The steered pathway's group: its playlist, its init and every segment, all from edge-b like the video.
        Assert.Equal(["edge-b:/titles/t1/v1/audio/index.m3u8"], audio.Where(r => r.Offset < 0).Select(r => $"{r.Edge}:{r.Path}"));
        Assert.Equal([0L, 50, 550, 1050, 1550], audio.Where(r => r.Offset >= 0).Select(r => r.Offset));
        Assert.All(fleet.Served.Where(r => r.Edge != "origin"), r => Assert.Equal("edge-b", r.Edge));
        // Every byte served is counted, the audio's 50 + 4 × 500 included.
        Assert.Equal(2050, audio.Where(r => r.Offset >= 0).Sum(r => r.Bytes));
        Assert.Equal(fleet.Served.Sum(r => r.Bytes), recorder.Snapshot().Bytes);
    }

    [Fact]
    public async Task PlayAsync_AudioOfTheSteeredEdgeFailsMidSession_MovesTheAudioToTheOtherPathway()
    {
        var fleet = new FakeFleet { Audio = true, AudioSegmentsBeforeBreak = 3 };
        var (outcome, result, failure, recorder) = await PlayAsync(fleet);

        Assert.Null(failure);
        Assert.Equal(SessionOutcome.Finished, outcome);
        Assert.Equal(0, result.Rebuffers);
        Assert.Equal(2, recorder.Snapshot().Errors["http 503"]); // one try and one retry of audio segment 3 on edge-b
        var audioSegments = fleet.Served.Where(r => r.Path.EndsWith("/audio/media.mp4", StringComparison.Ordinal) && r.Offset > 0)
            .Select(r => $"{r.Edge}@{r.Offset}");
        Assert.Equal(["edge-b@50", "edge-b@550", "edge-b@1050", "edge-a@1550"], audioSegments); // edge-a's group's file
    }

    [Fact]
    public async Task PlayAsync_SlowAudio_PlaybackStartsOnlyWhenTheAudioIsBufferedToo()
    {
        // Video answers at once; each audio request takes 1 s: playlist, init and two segments before 8 s of both.
        // (Only the lower bound: the fake clock runs on while the viewer works, so a busy machine makes startup later.)
        var fleet = new FakeFleet { Audio = true, AudioDelay = TimeSpan.FromSeconds(1) };
        var (outcome, result, failure, _) = await PlayAsync(fleet);

        Assert.Null(failure);
        Assert.Equal(SessionOutcome.Finished, outcome);
        Assert.True(result.Startup >= TimeSpan.FromSeconds(4), $"started at {result.Startup} with 4 s of audio requests before");
        Assert.Equal(TimeSpan.FromSeconds(16), result.Watched);
    }

    private static async Task<(SessionOutcome, SessionResult, string?, RunRecorder)> PlayAsync(FakeFleet fleet)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        fleet.Time = time;
        var recorder = new RunRecorder(time, TimeSpan.FromSeconds(60));
        using var http = new HttpClient(fleet);
        var viewer = new VirtualViewer(new HlsLoader(http, recorder, time), recorder, time, new ViewerSettings());
        var play = viewer.PlayAsync(Master, CancellationToken.None);
        // Drive the fake clock in 50 ms steps (bounded) while the viewer waits on it.
        for (var step = 0; step < 2000 && !play.IsCompleted; step++)
        {
            await Task.Delay(1);
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.True(play.IsCompleted, "the session did not end within 100 s of fake time");
        var (outcome, result, failure) = await play;
        return (outcome, result, failure, recorder);
    }

    /// <summary>
    /// An origin and two edges in memory: 4 segments of 4 s, one file per rendition with byte ranges; with
    /// <see cref="Audio"/> the rungs are video only and each pathway has an audio group (init 50 bytes, segments 500).
    /// </summary>
    private sealed class FakeFleet : HttpMessageHandler
    {
        /// <summary>Every answer with a body: the edge (or <c>origin</c>), the path, the range's offset (-1 whole) and the bytes.</summary>
        public ConcurrentQueue<(string Edge, string Path, long Offset, long Bytes)> Served { get; } = new();

        /// <summary>Demuxed audio: <c>EXT-X-MEDIA</c> groups in the master and <c>audio/</c> on every edge.</summary>
        public bool Audio { get; init; }

        /// <summary>After edge-b served this many audio segments, its audio answers 503.</summary>
        public int? AudioSegmentsBeforeBreak { get; init; }

        /// <summary>How long every audio request takes (on the fake clock).</summary>
        public TimeSpan AudioDelay { get; init; }

        private int _edgeBAudioSegments;

        public HashSet<string> Broken { get; } = new(StringComparer.Ordinal);

        public string EdgeHost { get; init; } = "127.0.0.1";

        public bool GarbagePlaylists { get; init; }

        /// <summary>Steering answers PATHWAY-CLONES: edge-c, edge-a's variants on port 5203.</summary>
        public bool CloneEdgeC { get; init; }

        public FakeTimeProvider Time { get; set; } = null!;

        public TimeSpan LastSegmentAt { get; private set; }

        private readonly DateTimeOffset _start = DateTimeOffset.UnixEpoch;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            var path = uri.AbsolutePath;
            if (path == $"/play/{Title}/master.m3u8")
            {
                var sb = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n");
                sb.Append(CultureInfo($"#EXT-X-CONTENT-STEERING:SERVER-URI=\"/steering/{Title}\",PATHWAY-ID=\"edge-a\"\n"));
                foreach (var (pathway, port) in Audio ? new[] { ("edge-a", 5201), ("edge-b", 5202) } : [])
                {
                    sb.Append(CultureInfo($"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio-{pathway}\",NAME=\"Audio\",DEFAULT=YES,AUTOSELECT=YES,URI=\"http://{EdgeHost}:{port}/titles/{Title}/v1/audio/index.m3u8\"\n"));
                }

                foreach (var (pathway, port) in new[] { ("edge-a", 5201), ("edge-b", 5202) })
                {
                    var group = Audio ? $",AUDIO=\"audio-{pathway}\"" : "";
                    foreach (var (rung, bandwidth) in new[] { ("720p", 3_000_000), ("240p", 400_000) })
                    {
                        sb.Append(CultureInfo($"#EXT-X-STREAM-INF:BANDWIDTH={bandwidth},RESOLUTION=1x1,CODECS=\"avc1.64001f,mp4a.40.2\"{group},PATHWAY-ID=\"{pathway}\"\n"));
                        sb.Append(CultureInfo($"http://{EdgeHost}:{port}/titles/{Title}/v1/{rung}/index.m3u8\n"));
                    }
                }

                return Text("origin", path, sb.ToString());
            }

            if (path == $"/steering/{Title}")
            {
                return Text("origin", path, CloneEdgeC
                    ? $"{{\"VERSION\":1,\"TTL\":5,\"PATHWAY-PRIORITY\":[\"edge-b\",\"edge-a\",\"edge-c\"],\"PATHWAY-CLONES\":[{{\"BASE-ID\":\"edge-a\",\"ID\":\"edge-c\",\"URI-REPLACEMENT\":{{\"HOST\":\"127.0.0.1:5203\"}}}}]}}"
                    : $"{{\"VERSION\":1,\"TTL\":5,\"RELOAD-URI\":\"/steering/{Title}\",\"PATHWAY-PRIORITY\":[\"edge-b\",\"edge-a\"]}}");
            }

            var edge = uri.Port switch { 5201 => "edge-a", 5202 => "edge-b", _ => "edge-c" };
            if (Broken.Contains(edge))
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
            }

            var audio = path.Contains("/audio/", StringComparison.Ordinal);
            return audio && AudioDelay > TimeSpan.Zero ? DelayedAsync() : Edge(request, edge);

            async Task<HttpResponseMessage> DelayedAsync()
            {
                await Task.Delay(AudioDelay, Time, cancellationToken);
                return await Edge(request, edge);
            }
        }

        private Task<HttpResponseMessage> Edge(HttpRequestMessage request, string edge)
        {
            var path = request.RequestUri!.AbsolutePath;
            var audio = path.Contains("/audio/", StringComparison.Ordinal);
            if (audio && edge == "edge-b" && _edgeBAudioSegments >= AudioSegmentsBeforeBreak)
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
            }

            if (path.EndsWith("index.m3u8", StringComparison.Ordinal) && GarbagePlaylists)
            {
                return Text(edge, path, "<html>not a playlist</html>");
            }

            var (init, segment) = audio ? (50, 500) : (100, 1000);
            if (path.EndsWith("index.m3u8", StringComparison.Ordinal))
            {
                var sb = new StringBuilder(CultureInfo($"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"media.mp4\",BYTERANGE=\"{init}@0\"\n"));
                for (var i = 0; i < 4; i++)
                {
                    sb.Append(CultureInfo($"#EXTINF:4.0,\n#EXT-X-BYTERANGE:{segment}@{init + i * segment}\nmedia.mp4\n"));
                }

                return Text(edge, path, sb.Append("#EXT-X-ENDLIST\n").ToString());
            }

            var range = request.Headers.Range!.Ranges.Single();
            var length = (int)(range.To!.Value - range.From!.Value + 1);
            if (range.From > 0)
            {
                LastSegmentAt = Time.GetUtcNow() - _start;
                if (audio && edge == "edge-b")
                {
                    _edgeBAudioSegments++;
                }
            }

            Served.Enqueue((edge, path, range.From!.Value, length));
            var response = new HttpResponseMessage(HttpStatusCode.PartialContent) { Content = new ByteArrayContent(new byte[length]) };
            return Task.FromResult(response);
        }

        private Task<HttpResponseMessage> Text(string edge, string path, string body)
        {
            Served.Enqueue((edge, path, -1, Encoding.UTF8.GetByteCount(body)));
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body) });
        }

        private static string CultureInfo(FormattableString s) => FormattableString.Invariant(s);
    }
}
