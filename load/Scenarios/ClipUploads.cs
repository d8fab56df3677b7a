using System.ComponentModel;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Vod.Load.Reporting;
using Vod.Load.Viewer;

namespace Vod.Load.Scenarios;

/// <summary>
/// <c>--uploads N</c>: publishing while viewers watch. N distinct 10 s clips are made with ffmpeg at set-up
/// (<see cref="MakeClipsAsync"/>, into a temp directory removed at the end), then uploaded over the first half of the run (the first at about 2 s):
/// <c>POST /api/titles</c> (multipart <c>file</c> and <c>name</c>, the admin key as bearer token). A network error,
/// time-out or 5xx (an origin dying mid-upload) sends the whole upload again to the next entry, at most
/// <see cref="MaxAttempts"/> attempts in all, each marked on the timeline; a 4xx is final. An accepted upload is polled
/// (<c>GET /api/titles/{id}</c>, any entry) until it is ready or failed, past the viewers' end up to the upload time-out.
/// The uploaded titles are never played: the viewers keep the titles chosen at set-up.
/// </summary>
internal sealed class ClipUploads(IReadOnlyList<string> clips, OriginEntries origins, string adminKey, RunRecorder recorder, TimeProvider time)
{
    public const int MaxAttempts = 3;

    private static readonly string[] Patterns = ["testsrc2", "testsrc", "smptebars", "rgbtestsrc"];
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(60);

    private readonly List<double> _secondsToReady = [];
    private readonly Lock _lock = new();
    private int _started, _ready, _failed;

    /// <summary>How often an accepted upload's status is asked.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public UploadFigures Figures
    {
        get
        {
            lock (_lock)
            {
                return new UploadFigures(clips.Count, _started, _ready, _failed, _secondsToReady.ToList());
            }
        }
    }

    /// <summary>Makes <paramref name="count"/> distinct clips with ffmpeg in a new temp directory.</summary>
    /// <exception cref="UsageException">ffmpeg is missing or failed.</exception>
    public static async Task<GeneratedClips> MakeClipsAsync(int count, CancellationToken ct)
    {
        var clips = new GeneratedClips(Path.Combine(Path.GetTempPath(), $"vod-load-uploads-{Guid.NewGuid():N}"));
        try
        {
            for (var i = 0; i < count; i++)
            {
                var clip = Path.Combine(clips.Directory, $"clip-{i + 1}.mp4");
                await FfmpegAsync(FfmpegArguments(i, clip), ct);
                clips.Files.Add(clip);
            }

            return clips;
        }
        catch
        {
            clips.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The ffmpeg arguments for clip <paramref name="index"/>: 10 s of 640×360 test pattern and a sine tone, both different
    /// per clip (the pattern cycles, the tone is 440 Hz + 110 Hz × index), so no two uploads are the same file.
    /// </summary>
    internal static IReadOnlyList<string> FfmpegArguments(int index, string output) =>
    [
        "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", $"{Patterns[index % Patterns.Length]}=size=640x360:rate=25",
        "-f", "lavfi", "-i", FormattableString.Invariant($"sine=frequency={440 + 110 * index}:sample_rate=48000"),
        "-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", output,
    ];

    /// <summary>
    /// Uploads every clip, clip i at <c>first + i × (spread − first) / N</c> after the start with <c>first</c> 2 s
    /// (or <paramref name="spread"/> if shorter), then waits for each to be ready or failed.
    /// </summary>
    /// <param name="runEnd">Uploads not yet started when it fires are not started.</param>
    /// <param name="deadline">Stops the waiting: the run's end plus the upload time-out (and Ctrl-C).</param>
    public async Task RunAsync(TimeSpan spread, CancellationToken runEnd, CancellationToken deadline)
    {
        var first = spread < TimeSpan.FromSeconds(2) ? spread : TimeSpan.FromSeconds(2);
        await Task.WhenAll(clips.Select((clip, i) => Task.Run(async () =>
        {
            try
            {
                await Task.Delay(first + (spread - first) * i / clips.Count, time, runEnd);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await UploadAsync(clip, i, deadline);
        }, CancellationToken.None)));
    }

    private async Task UploadAsync(string clip, int index, CancellationToken deadline)
    {
        var label = $"clip {index + 1}/{clips.Count}";
        var started = time.GetTimestamp();
        lock (_lock)
        {
            _started++;
        }

        var (id, failure) = await PostAsync(clip, label, deadline);
        if (id is not null)
        {
            (var ready, failure) = await PollAsync(id, deadline);
            if (ready)
            {
                var seconds = time.GetElapsedTime(started).TotalSeconds;
                recorder.Mark("upload-ready", $"{label}: title {id} ready {seconds:0.0} s after its upload began");
                lock (_lock)
                {
                    _ready++;
                    _secondsToReady.Add(seconds);
                }

                return;
            }
        }

        recorder.Mark("upload-failed", $"{label}{(id is null ? "" : $" (title {id})")}: {failure}");
        lock (_lock)
        {
            _failed++;
        }
    }

    /// <summary>The whole upload, on entry after entry: the title id, or why it failed.</summary>
    private async Task<(string? Id, string Failure)> PostAsync(string clip, string label, CancellationToken deadline)
    {
        var failure = "";
        for (var attempt = 0; attempt < MaxAttempts && !deadline.IsCancellationRequested; attempt++)
        {
            var entry = origins.Entries[attempt % origins.Entries.Count];
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(deadline);
            limit.CancelAfter(AttemptTimeout);
            bool retriable;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(entry, "/api/titles")) { Content = Form(clip, label) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
                using var response = await origins.Http.SendAsync(request, limit.Token);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    var id = await TitleIdAsync(response, limit.Token);
                    recorder.Mark("upload", $"{label} → {entry.Authority}: {status}, title {id}");
                    return (id, "");
                }

                var body = await response.Content.ReadAsStringAsync(limit.Token);
                failure = $"http {status}{(body.Length > 0 ? ": " + body[..Math.Min(body.Length, 200)] : "")}";
                retriable = status >= 500;
            }
            catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
            {
                (failure, retriable) = ("timeout", true);
            }
            catch (HttpRequestException e)
            {
                (failure, retriable) = (HlsLoader.Describe(e), true);
            }
            catch (IOException)
            {
                (failure, retriable) = ("connection reset", true);
            }
            catch (OperationCanceledException)
            {
                return (null, "the upload time-out passed");
            }

            if (!retriable)
            {
                return (null, $"{entry.Authority} refused it: {failure}");
            }

            var next = attempt + 1 < MaxAttempts ? $"; again on {origins.Entries[(attempt + 1) % origins.Entries.Count].Authority}" : "";
            recorder.Mark("upload-retry", $"{label} → {entry.Authority}: {failure}{next}");
        }

        return deadline.IsCancellationRequested
            ? (null, "the upload time-out passed")
            : (null, $"{MaxAttempts} attempts failed, the last: {failure}");
    }

    /// <summary>Polls until the title is ready (true) or failed (false, with its error); the deadline ends it too.</summary>
    private async Task<(bool Ready, string Failure)> PollAsync(string id, CancellationToken deadline)
    {
        var last = "never answered";
        try
        {
            // Bounded by the deadline (the run's end plus the upload time-out); the count bound guards a zero interval.
            for (var poll = 0; poll < 1_000_000; poll++)
            {
                try
                {
                    // With the admin key: anonymous callers see ready titles only, and a failed upload must be seen failing.
                    var (response, _) = await origins.SendAsync(e => new HttpRequestMessage(HttpMethod.Get, new Uri(e, $"/api/titles/{id}"))
                    {
                        Headers = { Authorization = new AuthenticationHeaderValue("Bearer", adminKey) },
                    }, TimeSpan.FromSeconds(5), deadline);
                    using (response)
                    {
                        if (response.IsSuccessStatusCode)
                        {
                            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(deadline));
                            var title = document.RootElement;
                            last = title.TryGetProperty("status", out var s) ? s.GetString() ?? "?" : "?";
                            if (last == "ready")
                            {
                                return (true, "");
                            }

                            if (last == "failed")
                            {
                                return (false, $"the transcode failed: {(title.TryGetProperty("error", out var e) ? e.GetString() : null) ?? "no reason given"}");
                            }
                        }
                        else
                        {
                            last = $"http {(int)response.StatusCode}";
                        }
                    }
                }
                catch (HttpRequestException e)
                {
                    last = e.Message; // every entry down for now: the supervisor brings one back
                }
                catch (JsonException)
                {
                    last = "an unreadable status";
                }

                await Task.Delay(PollInterval, time, deadline);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return (false, $"not ready by the upload time-out (last status: {last})");
    }

    private static MultipartFormDataContent Form(string clip, string label)
    {
        var file = new StreamContent(File.OpenRead(clip));
        file.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        return new MultipartFormDataContent
        {
            { file, "file", Path.GetFileName(clip) },
            { new StringContent($"vod-load {label}"), "name" },
        };
    }

    /// <summary>The new title's id: the JSON body's <c>id</c>, else the last segment of the Location header.</summary>
    private static async Task<string> TitleIdAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id)
                && id.GetString() is { Length: > 0 } value)
            {
                return value;
            }
        }
        catch (JsonException)
        {
        }

        return response.Headers.Location is { } location && location.OriginalString.TrimEnd('/').Split('/')[^1] is { Length: > 0 } last
            ? last
            : throw new HttpRequestException("the upload was accepted without a title id (no JSON id, no Location)");
    }

    private static async Task FfmpegAsync(IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new UsageException("--uploads: ffmpeg did not start");
        }
        catch (Win32Exception e)
        {
            throw new UsageException($"--uploads needs ffmpeg on PATH to make its clips ({e.Message})");
        }

        using (process)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromMinutes(2));
            var stderr = process.StandardError.ReadToEndAsync(limit.Token);
            var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new UsageException("--uploads: ffmpeg took over 2 minutes for a 10 s clip");
            }

            await stdout;
            if (process.ExitCode != 0)
            {
                throw new UsageException($"--uploads: ffmpeg exited {process.ExitCode}: {(await stderr).Trim()}");
            }
        }
    }

}

/// <summary>The clips made for <c>--uploads</c>, in a temp directory of their own that <see cref="Dispose"/> removes.</summary>
internal sealed class GeneratedClips : IDisposable
{
    public GeneratedClips(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }

    public List<string> Files { get; } = [];

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
