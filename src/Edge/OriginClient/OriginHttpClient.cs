using Vod.Common.Hosting;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Vod.Common.Hls;
using Vod.Common.Security;

namespace Vod.Edge.OriginClient;

/// <summary>
/// Fetches object metadata (HEAD) and byte ranges (GET with Range) from the origin. The handler is tuned as YARP's
/// forwarder does it: no redirects, no cookies, no decompression, explicit connect and request timeouts.
/// </summary>
internal sealed class OriginHttpClient(HttpClient http)
{
    /// <summary>The object's metadata, or null when the origin says it does not exist (404/410/403).</summary>
    public async Task<ObjectMeta?> HeadAsync(string urlPath, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, urlPath);
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone or HttpStatusCode.Forbidden)
        {
            return null;
        }

        EnsureSuccess(response, urlPath);
        var content = response.Content.Headers;
        if (content.ContentLength is not { } size || response.Headers.ETag is not { } etag)
        {
            throw new OriginUnavailableException($"origin answered {urlPath} without Content-Length or ETag", timedOut: false);
        }

        return new ObjectMeta(size, etag.ToString(), content.LastModified, content.ContentType?.ToString() ?? "application/octet-stream",
            response.Headers.CacheControl?.ToString());
    }

    /// <summary>Reads bytes [<paramref name="from"/>, <paramref name="from"/> + <paramref name="length"/>) of the object.</summary>
    /// <param name="etag">The version the caller expects; a different version at the origin is an error, never mixed bytes.</param>
    public async Task<byte[]> GetRangeAsync(string urlPath, string etag, long from, int length, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, urlPath);
        request.Headers.Range = new RangeHeaderValue(from, from + length - 1);
        request.Headers.IfRange = new RangeConditionHeaderValue(EntityTagHeaderValue.Parse(etag));
        using var response = await SendAsync(request, cancellationToken);
        EnsureSuccess(response, urlPath);
        if (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentLength != length)
        {
            throw new OriginUnavailableException($"origin did not return bytes {from}+{length} of {urlPath} for {etag} (status {(int)response.StatusCode})", timedOut: false);
        }

        // HttpClient's timeout ends with the response headers: the body gets a budget of its own, or an origin that
        // stalls mid-body would hold this fill (and every request that joins it) for as long as the connection lives.
        var bytes = GC.AllocateUninitializedArray<byte>(length);
        using var bodyDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bodyDeadline.CancelAfter(http.Timeout);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(bodyDeadline.Token);
            await body.ReadExactlyAsync(bytes, bodyDeadline.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OriginUnavailableException($"origin stalled while sending {urlPath} (no whole body within {http.Timeout.TotalMilliseconds:0} ms)", timedOut: true, e);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new OriginUnavailableException($"origin connection failed while reading {urlPath}: {e.Message}", timedOut: false, e);
        }

        return bytes;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OriginUnavailableException($"origin timed out on {request.RequestUri}", timedOut: true, e);
        }
        catch (HttpRequestException e)
        {
            throw new OriginUnavailableException($"origin unreachable: {e.Message}", timedOut: false, e);
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
        services.AddHttpClient<OriginHttpClient>((sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<OriginOptions>>().Value;
                client.BaseAddress = new Uri(options.BaseUrl);
                client.Timeout = TimeSpan.FromMilliseconds(options.RequestTimeoutMilliseconds);
                client.DefaultRequestVersion = HttpVersion.Version11;
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseProxy = false,
                AutomaticDecompression = DecompressionMethods.None,
                ConnectTimeout = TimeSpan.FromMilliseconds(sp.GetRequiredService<IOptions<OriginOptions>>().Value.ConnectTimeoutMilliseconds),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
                EnableMultipleHttp2Connections = true,
            })
            .AddHttpMessageHandler(sp => new OriginRequestSigning(sp.GetRequiredService<PlaybackTokens>()))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
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
        // HttpClient has applied its BaseAddress before handlers run: the URI is absolute here.
        if (tokens.Enabled && request.RequestUri is { IsAbsoluteUri: true } absolute)
        {
            var path = absolute.AbsolutePath;
            if (path.StartsWith("/titles/", StringComparison.Ordinal) && MediaPath.TryParse(path["/titles/".Length..], out var media))
            {
                request.RequestUri = new UriBuilder(absolute) { Path = $"{PlaybackTokens.PathPrefix}/{tokens.Create(media.TitleId)}{path}" }.Uri;
            }
        }

        return base.SendAsync(request, cancellationToken);
    }
}
