using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Vod.Common.Hls;
using Vod.Common.Security;
using Vod.ServiceDefaults;
using Vod.ServiceDefaults.Tls;

namespace Vod.Edge.OriginClient;

/// <summary>
/// Fetches object metadata (HEAD) and byte ranges (GET with Range) from the origins. The handler is tuned as YARP's
/// forwarder does it: no redirects, no cookies, no decompression, explicit connect and request timeouts. Each fetch
/// tries the origins of the <see cref="OriginPool"/> in turn: a refused connection, a 5xx, headers that do not come
/// within the attempt time-out, or a body cut off moves it to the next origin, all inside one request budget.
/// </summary>
internal sealed class OriginHttpClient(HttpClient http, OriginPool origins, IOptions<OriginOptions> options)
{
    private readonly TimeSpan _budget = options.Value.RequestTimeout;
    private readonly TimeSpan _attempt = options.Value.AttemptTimeout;

    /// <summary>The object's metadata, or null when the origin says it does not exist (404/410/403).</summary>
    public Task<ObjectMeta?> HeadAsync(string urlPath, CancellationToken cancellationToken) =>
        FetchAsync(urlPath, origin => new HttpRequestMessage(HttpMethod.Head, new Uri(origin, urlPath)),
            (response, _, _) =>
            {
                if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone or HttpStatusCode.Forbidden)
                {
                    return Task.FromResult<ObjectMeta?>(null);
                }

                EnsureSuccess(response, urlPath);
                var content = response.Content.Headers;
                if (content.ContentLength is not { } size || response.Headers.ETag is not { } etag)
                {
                    throw new OriginUnavailableException($"origin answered {urlPath} without Content-Length or ETag", timedOut: false);
                }

                return Task.FromResult<ObjectMeta?>(new ObjectMeta(size, etag.ToString(), content.LastModified,
                    content.ContentType?.ToString() ?? "application/octet-stream", response.Headers.CacheControl?.ToString()));
            },
            cancellationToken);

    /// <summary>Reads bytes [<paramref name="from"/>, <paramref name="from"/> + <paramref name="length"/>) of the object.</summary>
    /// <param name="etag">The version the caller expects; a different version at the origin is an error, never mixed bytes.</param>
    public Task<byte[]> GetRangeAsync(string urlPath, string etag, long from, int length, CancellationToken cancellationToken) =>
        FetchAsync(urlPath, origin =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, new Uri(origin, urlPath));
                request.Headers.Range = new RangeHeaderValue(from, from + length - 1);
                request.Headers.IfRange = new RangeConditionHeaderValue(EntityTagHeaderValue.Parse(etag));
                return request;
            },
            async (response, bodyDeadline, callerToken) =>
            {
                EnsureSuccess(response, urlPath);
                if (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentLength != length)
                {
                    throw new OriginUnavailableException($"origin did not return bytes {from}+{length} of {urlPath} for {etag} (status {(int)response.StatusCode})", timedOut: false);
                }

                // HttpClient's time-out ends with the response headers: the body has the rest of the budget, or an origin
                // that stalls mid-body would hold this fill (and every request that joins it) for as long as the connection lives.
                var bytes = GC.AllocateUninitializedArray<byte>(length);
                try
                {
                    await using var body = await response.Content.ReadAsStreamAsync(bodyDeadline);
                    await body.ReadExactlyAsync(bytes, bodyDeadline);
                }
                catch (OperationCanceledException e) when (!callerToken.IsCancellationRequested)
                {
                    throw new OriginUnavailableException($"origin stalled while sending {urlPath} (no whole body within {_budget.TotalMilliseconds:0} ms)", timedOut: true, e);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    throw new OriginUnavailableException($"origin connection failed while reading {urlPath} ({e.GetType().Name})", timedOut: false, e);
                }

                return bytes;
            },
            cancellationToken);

    /// <summary>
    /// One fetch over the origins in the pool's order. Headers must come within the attempt time-out (the last origin
    /// tried gets the rest of the budget); the answer is read within the budget. A failure marks that origin down and
    /// moves on while origins and budget remain; the last failure is what the caller sees. Messages name the unsigned
    /// <paramref name="urlPath"/>: the request's own URI carries a playback token once it is signed.
    /// </summary>
    private async Task<T> FetchAsync<T>(string urlPath, Func<Uri, HttpRequestMessage> createRequest,
        Func<HttpResponseMessage, CancellationToken, CancellationToken, Task<T>> readResponse, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(_budget);
        var candidates = origins.Candidates();
        for (var i = 0; ; i++)
        {
            var origin = candidates[i];
            var last = i == candidates.Length - 1;
            try
            {
                using var request = createRequest(origin);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(budget.Token);
                if (!last)
                {
                    attempt.CancelAfter(_attempt);
                }

                using var response = await SendAsync(origin, urlPath, request, attempt.Token, budget.Token, cancellationToken);
                var result = await readResponse(response, budget.Token, cancellationToken);
                origins.MarkUp(origin);
                return result;
            }
            catch (OriginUnavailableException e) when (!cancellationToken.IsCancellationRequested)
            {
                origins.MarkDown(origin, e.Message);
                if (last || budget.IsCancellationRequested)
                {
                    throw;
                }
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(
        Uri origin, string urlPath, HttpRequestMessage request, CancellationToken attempt, CancellationToken budget, CancellationToken caller)
    {
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt);
        }
        catch (OperationCanceledException e) when (!caller.IsCancellationRequested)
        {
            var limit = budget.IsCancellationRequested ? _budget : _attempt;
            throw new OriginUnavailableException($"origin {origin.Authority} sent no headers for {urlPath} within {limit.TotalMilliseconds:0} ms", timedOut: true, e);
        }
        catch (HttpRequestException e)
        {
            throw new OriginUnavailableException($"origin {origin.Authority} unreachable ({e.HttpRequestError})", timedOut: false, e);
        }
    }

    private static void EnsureSuccess(HttpResponseMessage response, string urlPath)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new OriginUnavailableException($"origin answered {(int)response.StatusCode} for {urlPath}",
                timedOut: response.StatusCode == HttpStatusCode.GatewayTimeout);
        }
    }
}

internal static class OriginClientExtensions
{
    public static IServiceCollection AddOriginClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<OriginOptions>(configuration, OriginOptions.Section);
        services.AddPlaybackTokens(configuration);
        services.AddSingleton<OriginPool>();
        services.AddHostedService<OriginProbe>();
        services.AddHttpClient<OriginHttpClient>(client =>
            {
                // Time-outs are the fetch's own (an attempt budget per origin inside one request budget).
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestVersion = HttpVersion.Version11;
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseProxy = false,
                AutomaticDecompression = DecompressionMethods.None,
                ConnectTimeout = sp.GetRequiredService<IOptions<OriginOptions>>().Value.ConnectTimeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
                EnableMultipleHttp2Connections = true,
            }.TrustingCaFile(sp.GetRequiredService<IOptions<TlsOptions>>().Value))
            .AddHttpMessageHandler(sp => new OriginRequestSigning(sp.GetRequiredService<PlaybackTokens>()))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers(); // HttpClient's own logging writes every request URI, and a signed one carries a fresh token
        return services;
    }
}

/// <summary>
/// With signed playback on, the origin serves packaged files only under <c>/t/{token}/titles/...</c> too, so the edge
/// signs its own fetches: a fresh token for the title of each request (one HMAC, far cheaper than the fetch). The
/// edge holds the key anyway, and nothing a client sent is forwarded.
/// </summary>
internal sealed class OriginRequestSigning(PlaybackTokens tokens) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Requests are made with absolute URIs (one per origin).
        if (tokens.Enabled && request.RequestUri is { IsAbsoluteUri: true } absolute)
        {
            var path = absolute.AbsolutePath;
            if (path.StartsWith(MediaPath.UrlPrefix + "/", StringComparison.Ordinal) && MediaPath.TryParse(path[(MediaPath.UrlPrefix.Length + 1)..], out var media))
            {
                request.RequestUri = new UriBuilder(absolute) { Path = $"{PlaybackTokens.PathPrefix}/{tokens.Create(media.TitleId)}{path}" }.Uri;
            }
        }

        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>The origin failed (5xx, refused, timed out): the edge answers 502/504, never 404.</summary>
internal class OriginUnavailableException(string message, bool timedOut, Exception? inner = null) : Exception(message, inner)
{
    public bool TimedOut { get; } = timedOut;
}
