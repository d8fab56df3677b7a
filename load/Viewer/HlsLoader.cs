using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Vod.Load.Reporting;

namespace Vod.Load.Viewer;

/// <summary>The outcome of one load (after its retries): a body (text for playlists) or an error in words.</summary>
internal sealed record LoadResult(bool Ok, string? Text, long Bytes, TimeSpan Elapsed, string? Error, bool Retriable);

/// <summary>
/// Every viewer's HTTP: one shared <see cref="HttpClient"/> (one connection pool, like a browser's), per-request
/// time-to-first-byte and load timeouts, and hls.js's retry rules (timeouts and network errors and 5xx/408/429 are
/// retried on the same pathway; other 4xx are not). Each attempt is recorded with its latency and error.
/// </summary>
internal sealed class HlsLoader(HttpClient http, RunRecorder recorder, TimeProvider time)
{
    /// <summary>Called with every edge object loaded successfully (flash-crowd counts the distinct ones).</summary>
    public Action<Uri, ByteRange>? Observe { get; init; }

    /// <summary>A pooled handler for many concurrent viewers on loopback: no redirects, no cookies, short connect.</summary>
    public static HttpClient CreateClient(int maxConnectionsPerServer = 2048) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = maxConnectionsPerServer,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseProxy = false,
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<LoadResult> LoadAsync(Uri uri, ByteRange range, RequestKind kind, string pathway, LoaderPolicy policy, bool asText,
        CancellationToken cancellationToken)
    {
        int timeouts = 0, errors = 0;
        while (true)
        {
            var result = await AttemptAsync(uri, range, kind, pathway, policy, asText, cancellationToken);
            if (result.Ok || !result.Retriable || cancellationToken.IsCancellationRequested)
            {
                return result;
            }

            if (result.Error == "timeout" ? ++timeouts > policy.TimeoutRetries : ++errors > policy.ErrorRetries)
            {
                return result;
            }

            if (result.Error != "timeout" && policy.ErrorRetryDelay > TimeSpan.Zero)
            {
                await Task.Delay(policy.ErrorRetryDelay, time, cancellationToken);
            }
        }
    }

    private async Task<LoadResult> AttemptAsync(Uri uri, ByteRange range, RequestKind kind, string pathway, LoaderPolicy policy, bool asText,
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(policy.FirstByte, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (!range.IsWhole)
        {
            request.Headers.Range = new RangeHeaderValue(range.Offset, range.Offset + range.Length - 1);
        }

        long bytes = 0;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            // The first byte arrived: from here the whole load must finish within the load timeout.
            var left = policy.Load - time.GetElapsedTime(started);
            timeout.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                return Done($"http {status}", retriable: status is >= 500 or 408 or 429);
            }

            if (!range.IsWhole && response.StatusCode != HttpStatusCode.PartialContent)
            {
                return Done($"http {(int)response.StatusCode} for a range", retriable: true);
            }

            await using var body = await response.Content.ReadAsStreamAsync(linked.Token);
            string? text = null;
            if (asText)
            {
                using var reader = new StreamReader(body, Encoding.UTF8);
                text = await reader.ReadToEndAsync(linked.Token);
                bytes = Encoding.UTF8.GetByteCount(text);
            }
            else
            {
                var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
                try
                {
                    int read;
                    while ((read = await body.ReadAsync(buffer, linked.Token)) > 0)
                    {
                        bytes += read;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            if (!range.IsWhole && bytes != range.Length)
            {
                return Done($"short body ({bytes} of {range.Length} bytes)", retriable: true);
            }

            var elapsed = time.GetElapsedTime(started);
            recorder.Request(kind, pathway, elapsed, bytes, null);
            if (kind is not (RequestKind.Master or RequestKind.Steering))
            {
                Observe?.Invoke(uri, range);
            }

            return new LoadResult(true, text, bytes, elapsed, null, false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Done("timeout", retriable: true);
        }
        catch (HttpRequestException e)
        {
            return Done(Describe(e), retriable: true);
        }
        catch (IOException)
        {
            return Done("connection reset", retriable: true);
        }

        LoadResult Done(string error, bool retriable)
        {
            var elapsed = time.GetElapsedTime(started);
            recorder.Request(kind, pathway, elapsed, bytes, error);
            return new LoadResult(false, null, bytes, elapsed, error, retriable);
        }
    }

    /// <summary>A network error in the words the report counts it under (<c>socket ConnectionRefused</c>, ...).</summary>
    public static string Describe(HttpRequestException e) =>
        e.InnerException is SocketException s ? $"socket {s.SocketErrorCode}"
        : e.HttpRequestError == HttpRequestError.Unknown && e.InnerException is { } inner ? inner.GetType().Name
        : e.HttpRequestError.ToString();
}
