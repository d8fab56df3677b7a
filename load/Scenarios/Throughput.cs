using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Vod.Load.Reporting;
using Vod.Load.Viewer;

namespace Vod.Load.Scenarios;

/// <summary>
/// Closed loop against one URL (a cache hit, like bench/edge-vs-peers.sh's wrk runs): N connections, each sends its
/// next request when the previous answer is read, until the time is up.
/// </summary>
internal static class Throughput
{
    /// <summary>The default target: the first media segment (its byte range) of the first title via its first pathway.</summary>
    public static async Task<(Uri Url, ByteRange Range)> DefaultTargetAsync(HttpClient http, OriginEntries origins, ReadyTitle title, CancellationToken ct)
    {
        var (text, masterUri) = await origins.GetStringAsync($"/play/{title.Id}/master.m3u8", ct);
        var master = PlaylistParser.ParseMaster(text, masterUri);
        var variant = master.Variants[0];
        Loopback.Require(variant.Uri, "pathway " + variant.PathwayId);
        var playlist = PlaylistParser.ParseMedia(await http.GetStringAsync(variant.Uri, ct), variant.Uri);
        var segment = playlist.Segments[0];
        return (Loopback.Require(segment.Uri, "segment"), segment.Range);
    }

    public static async Task RunAsync(HttpClient http, Uri url, ByteRange range, int connections, RunRecorder recorder, CancellationToken runEnd)
    {
        var pathway = url.Authority;
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
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
                        using var request = new HttpRequestMessage(HttpMethod.Get, url);
                        if (!range.IsWhole)
                        {
                            request.Headers.Range = new RangeHeaderValue(range.Offset, range.Offset + range.Length - 1);
                        }

                        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, runEnd);
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

                    recorder.Request(RequestKind.Media, pathway, Stopwatch.GetElapsedTime(started), bytes, error);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }, CancellationToken.None));
        await Task.WhenAll(workers);
    }
}
