using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Vod.Load.Reporting;
using Vod.Load.Viewer;

namespace Vod.Load.Scenarios;

/// <summary>
/// <c>throughput</c>: a closed loop against one URL (a cache hit, like bench/edge-vs-peers.sh's wrk runs): N connections,
/// each sends its next request when the previous answer is read, until the time is up. The URL is <c>--url</c>, else
/// the first media segment (its byte range) of the first title via its first pathway; the report's <c>throughput</c>
/// says which.
/// </summary>
internal sealed class ThroughputScenario(LoadOptions options) : Scenario(options)
{
    private Uri? _url;
    private ByteRange _range = ByteRange.Whole;

    public override int Concurrency => Options.Connections;

    public override string ConcurrencyUnit => "connections";

    /// <summary>Only the default target comes from the catalog.</summary>
    public override bool NeedsTitles => Options.Url is null;

    /// <summary>Chooses the target and requests it once, so that the run measures cache hits.</summary>
    public override async Task PrepareAsync(ScenarioContext context, CancellationToken setup)
    {
        (_url, _range) = Options.Url is { } given
            ? (given, Options.RangeBytes is { } n ? new ByteRange(0, n) : ByteRange.Whole)
            : await DefaultTargetAsync(context.Http, context.Origins, context.Titles[0], setup);
        if (Options.Url is null && Options.RangeBytes is { } bytes)
        {
            _range = new ByteRange(_range.Offset, Math.Min(bytes, _range.Length));
        }

        using var warm = Request(_url, _range);
        using var response = await context.Http.SendAsync(warm, setup);
    }

    public override async Task RunAsync(ScenarioContext context, CancellationToken runEnd)
    {
        var (url, range) = (Url, _range);
        var pathway = url.Authority;
        var workers = Enumerable.Range(0, Options.Connections).Select(_ => Task.Run(async () =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
            try
            {
                // Bounded by the run's time; the count bound is far beyond what one connection can do in a run.
                for (var i = 0; i < 100_000_000 && !runEnd.IsCancellationRequested; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    long bytes = 0;
                    string? error = null;
                    try
                    {
                        using var request = Request(url, range);
                        using var response = await context.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, runEnd);
                        await using var body = await response.Content.ReadAsStreamAsync(runEnd);
                        int read;
                        while ((read = await body.ReadAsync(buffer, runEnd)) > 0)
                        {
                            bytes += read;
                        }

                        var expected = range.IsWhole ? HttpStatusCode.OK : HttpStatusCode.PartialContent;
                        error = response.StatusCode != expected ? $"http {(int)response.StatusCode}"
                            : !range.IsWhole && bytes != range.Length ? "short body" : null;
                    }
                    catch (OperationCanceledException) when (runEnd.IsCancellationRequested)
                    {
                        break;
                    }
                    catch (HttpRequestException e)
                    {
                        error = e.HttpRequestError.ToString();
                    }
                    catch (IOException)
                    {
                        error = "connection reset";
                    }

                    context.Recorder.Request(RequestKind.Media, pathway, Stopwatch.GetElapsedTime(started), bytes, error);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }, CancellationToken.None));
        await Task.WhenAll(workers);
    }

    public override RunReport Summarise(RunReport report) => WithExtra(report, "throughput", new Dictionary<string, object>
    {
        ["url"] = Url.ToString(),
        ["range_bytes"] = _range.IsWhole ? -1 : _range.Length,
        ["connections"] = Options.Connections,
    });

    /// <summary>The default target: the first media segment (its byte range) of the first title via its first pathway.</summary>
    private static async Task<(Uri Url, ByteRange Range)> DefaultTargetAsync(HttpClient http, OriginEntries origins, ReadyTitle title, CancellationToken ct)
    {
        var (text, masterUri) = await origins.GetStringAsync($"/play/{title.Id}/master.m3u8", ct);
        var master = PlaylistParser.ParseMaster(text, masterUri);
        var variant = master.Variants[0];
        Loopback.Require(variant.Uri, "pathway " + variant.PathwayId);
        var playlist = PlaylistParser.ParseMedia(await http.GetStringAsync(variant.Uri, ct), variant.Uri);
        var segment = playlist.Segments[0];
        return (Loopback.Require(segment.Uri, "segment"), segment.Range);
    }

    private static HttpRequestMessage Request(Uri url, ByteRange range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!range.IsWhole)
        {
            request.Headers.Range = new RangeHeaderValue(range.Offset, range.Offset + range.Length - 1);
        }

        return request;
    }

    private Uri Url => _url ?? throw new InvalidOperationException("the throughput scenario runs only once prepared");
}
