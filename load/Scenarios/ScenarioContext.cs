using Spectre.Console;
using Vod.Load.Reporting;
using Vod.Load.Viewer;

namespace Vod.Load.Scenarios;

/// <summary>
/// What a scenario's phases share in one run of the tool: the options, the console and the clock; one HTTP client (one
/// connection pool, sized for the viewers) and the origin entries; the ready titles; the recorder; and the
/// <c>--uploads</c> clips (<see cref="Uploads"/>), uploaded the same way whatever the scenario.
/// </summary>
internal sealed class ScenarioContext : IDisposable
{
    private readonly GeneratedClips? _clips;

    private ScenarioContext(LoadOptions options, IAnsiConsole console, TimeProvider time, OriginEntries origins,
        IReadOnlyList<ReadyTitle> titles, GeneratedClips? clips)
    {
        Options = options;
        Console = console;
        Time = time;
        Origins = origins;
        Titles = titles;
        _clips = clips;
        Recorder = new RunRecorder(time, options.Duration);
        Uploads = clips is null ? null : new ClipUploads(clips.Files, origins, options.AdminKey!, Recorder, time);
    }

    public LoadOptions Options { get; }

    public IAnsiConsole Console { get; }

    public TimeProvider Time { get; }

    public OriginEntries Origins { get; }

    public HttpClient Http => Origins.Http;

    /// <summary>The titles to play (<c>--titles</c>, or every ready one); empty when the scenario needs none.</summary>
    public IReadOnlyList<ReadyTitle> Titles { get; }

    /// <summary>Its clock starts once the titles are chosen and the clips made, before the scenario's own set-up.</summary>
    public RunRecorder Recorder { get; }

    /// <summary>The clips to upload during the run; null without <c>--uploads</c>.</summary>
    public ClipUploads? Uploads { get; }

    /// <summary>The set-up every scenario shares: the client, the titles (within <paramref name="setup"/>), the clips.</summary>
    public static async Task<ScenarioContext> OpenAsync(Scenario scenario, LoadOptions options, IAnsiConsole console, TimeProvider time,
        CancellationToken setup, CancellationToken cancellationToken)
    {
        var http = HlsLoader.CreateClient(Math.Max(1024, options.Viewers * 4));
        GeneratedClips? clips = null;
        try
        {
            var origins = new OriginEntries(http, options.Origins);
            var titles = scenario.NeedsTitles ? await Catalog.ChooseAsync(origins, options.Titles, setup) : [];
            // Before the recorder's clock starts, outside the 30 s set-up bound: ffmpeg takes about a second a clip.
            if (options.Uploads > 0)
            {
                console.MarkupLineInterpolated($"making {options.Uploads} clips with ffmpeg for --uploads");
                clips = await ClipUploads.MakeClipsAsync(options.Uploads, cancellationToken);
            }

            return new ScenarioContext(options, console, time, origins, titles, clips);
        }
        catch
        {
            clips?.Dispose();
            http.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _clips?.Dispose();
        Http.Dispose();
    }
}
