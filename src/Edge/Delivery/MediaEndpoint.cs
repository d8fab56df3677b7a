using Microsoft.Net.Http.Headers;
using Vod.Common.Hls;
using Vod.Common.Http;
using Vod.Common.Security;
using Vod.Edge.Caching;
using Vod.Edge.Metrics;
using Vod.Edge.OriginClient;
using Vod.ServiceDefaults;

namespace Vod.Edge.Delivery;

/// <summary>
/// <c>GET</c>/<c>HEAD /titles/{id}/...</c> (or <c>/t/{token}/titles/{id}/...</c> with signed playback): the edge's
/// data plane, read top to bottom in <see cref="ServeAsync"/>:
/// <list type="number">
/// <item>Parse and authorise: the method, the media path (an HLS file name), the playback token (405, 404, 403).</item>
/// <item>Look up the object's metadata through the tiers, <see cref="SliceCache"/> (404 when the origin does not have
/// it; 502, 503 or 504 when the origin failed and nothing is cached).</item>
/// <item>Preconditions and range, both pure functions (<see cref="Preconditions"/>, <see cref="ByteRange"/>): 304, 412,
/// 416, or the bytes to send (200, 206).</item>
/// <item>Write: the headers, then the body straight from the cached slices (<see cref="ResponsePipe"/>). The first
/// slice can still turn the answer into 502/504; a later failure can only abort the response.</item>
/// </list>
/// Every exit passes through one place that records the status, the cache result and the bytes sent.
/// What is stored depends only on the validated path: query strings and request headers never change a cache key (no
/// cache poisoning), and a playback token is verified without state, then never part of a key. An origin failure
/// with nothing cached is 5xx, never 404: players retry 5xx and give up on 4xx.
/// </summary>
internal sealed class MediaEndpoint(SliceCache cache, PlaybackTokens tokens, EdgeMetrics metrics, ILogger<MediaEndpoint> logger)
{
    /// <summary>
    /// The data plane is the first thing in the pipeline: a media request is served before routing and the service
    /// middleware run (more range hits per second than as a routed endpoint: bench/README.md). CORS for players on
    /// other sites comes from the same library policy as everywhere else, preflights included. Anything else (health,
    /// metrics) goes on to routing.
    /// </summary>
    public static void Use(WebApplication app)
    {
        var endpoint = app.Services.GetRequiredService<MediaEndpoint>();
        app.MapWhen(IsMediaRequest, media => media.UseCors(MediaCors.Policy).Run(endpoint.ServeAsync));
    }

    private static bool IsMediaRequest(HttpContext context) =>
        context.Request.Path.StartsWithSegments(MediaPath.UrlPrefix) || context.Request.Path.StartsWithSegments(PlaybackTokens.PathPrefix);

    public async Task ServeAsync(HttpContext context)
    {
        CacheResult? result = null;
        long sent = 0;
        try
        {
            // :: Step 1: parse and authorise
            context.Response.Headers.XContentTypeOptions = "nosniff";
            if (Authorise(context, out var refused, out var signedUntil) is not { } media)
            {
                await ProblemAsync(context, refused);
                return;
            }

            // :: Step 2: look up the object
            Lookup<CachedObject?> lookup;
            try
            {
                lookup = await cache.GetObjectAsync(media, context.RequestAborted);
            }
            catch (OriginUnavailableException e)
            {
                result = CacheResult.Miss;
                await ProblemAsync(context, OriginFailed(media, e));
                return;
            }

            result = lookup.Result;
            if (lookup.Value is not { } entry)
            {
                await ProblemAsync(context, new(StatusCodes.Status404NotFound, $"{media.UrlPath} does not exist"));
                return;
            }

            // :: Step 3: preconditions and range
            var response = context.Response;
            WriteValidators(response.Headers, entry);
            if (signedUntil is { } expires)
            {
                // A signed URL's answer is the viewer's alone, and fresh no longer than its token lives.
                response.Headers.CacheControl = tokens.SignedCacheControl(expires, entry.MaxAge);
            }

            var requestHeaders = context.Request.Headers;
            var precondition = Preconditions.Evaluate(requestHeaders, entry.EntityTag, entry.LastModified);
            if (precondition != StatusCodes.Status200OK)
            {
                response.StatusCode = precondition;
                return;
            }

            var range = ByteRange.Select(requestHeaders, entry.EntityTag, entry.LastModified, entry.Meta.Size);
            if (range.Status == StatusCodes.Status416RangeNotSatisfiable)
            {
                response.StatusCode = range.Status;
                response.Headers.ContentRange = $"bytes */{entry.Meta.Size}";
                return;
            }

            // :: Step 4: write the headers, then the body from the slices
            if (HttpMethods.IsHead(context.Request.Method) || range.Length == 0)
            {
                WriteContentHeaders(response, entry, range);
                return;
            }

            var index = range.From / entry.SliceBytes;
            var readAhead = cache.ReadsAheadFor(range.Length);
            Lookup<byte[]> slice;
            try
            {
                // The first slice decides whether the answer is a body or an error: nothing has been sent yet.
                slice = await cache.GetSliceAsync(media, entry, index, readAhead, context.RequestAborted);
            }
            catch (OriginUnavailableException e)
            {
                result = Costlier(result.Value, CacheResult.Miss);
                await ProblemAsync(context, OriginFailed(media, e));
                return;
            }

            result = Costlier(result.Value, slice.Result);
            WriteContentHeaders(response, entry, range);
            (result, sent) = await WriteBodyAsync(context, media, entry, range, slice, result.Value, readAhead);
        }
        finally
        {
            metrics.Request(context.Response.StatusCode, result, sent);
        }
    }

    /// <summary>Step 1. The validated path of a request that may be served; null, with the reason, when it may not.</summary>
    /// <param name="signedUntil">For a signed URL, when its token expires.</param>
    private MediaPath? Authorise(HttpContext context, out Refusal refused, out DateTimeOffset? signedUntil)
    {
        refused = default;
        signedUntil = null;
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            refused = new(StatusCodes.Status405MethodNotAllowed, $"{request.Method} is not allowed here: media is read with GET or HEAD");
            return null;
        }

        if (request.Path.StartsWithSegments(MediaPath.UrlPrefix, out var rest))
        {
            if (tokens.Enabled)
            {
                refused = new(StatusCodes.Status403Forbidden, "this edge serves signed playback URLs only (/t/{token}/titles/...): get them from the playback manifest");
                return null;
            }

            if (MediaPath.TryParse(rest.Value is { Length: > 1 } relative ? relative[1..] : null, out var path) && HlsContentTypes.IsServable(path))
            {
                return path;
            }

            refused = NotAMediaPath;
            return null;
        }

        if (!tokens.Enabled)
        {
            refused = new(StatusCodes.Status404NotFound, "signed playback is not configured on this edge");
            return null;
        }

        if (!tokens.TryVerifySignedPath(request.Path, out var signed, out var check, out var expires) || !HlsContentTypes.IsServable(signed))
        {
            refused = NotAMediaPath;
            return null;
        }

        if (check != TokenCheck.Valid)
        {
            refused = new(StatusCodes.Status403Forbidden, PlaybackTokens.Describe(check));
            return null;
        }

        signedUntil = expires;
        return signed;
    }

    /// <summary>Not a path the origin could have: malformed, or a name that is not HLS media (answered here, never asked of the origin).</summary>
    private static Refusal NotAMediaPath => new(StatusCodes.Status404NotFound, "not a valid media path");

    /// <summary>The answer when the origin failed and nothing is cached: 503 from a busy edge, 504 on a timeout, else 502.</summary>
    private Refusal OriginFailed(MediaPath media, OriginUnavailableException e)
    {
        if (e is EdgeBusyException)
        {
            // Overload is counted in metrics, not logged per request. Retry-After tells the player to go elsewhere now.
            return new(StatusCodes.Status503ServiceUnavailable, "this edge is busy: try another edge", RetryAfterSeconds: 1);
        }

        Log.OriginFailed(logger, media.UrlPath, e.Message);
        return e.TimedOut
            ? new(StatusCodes.Status504GatewayTimeout, "the origin did not answer in time and this object is not cached")
            : new(StatusCodes.Status502BadGateway, "the origin failed and this object is not cached");
    }

    /// <summary>Step 3. Validators and caching headers, sent with every answer about the object (304 and 416 too).</summary>
    private static void WriteValidators(IHeaderDictionary headers, CachedObject entry)
    {
        headers.AcceptRanges = "bytes";
        headers.ETag = entry.Meta.ETag;
        if (entry.LastModifiedHeader is { } modified)
        {
            headers.LastModified = modified;
        }

        if (entry.Meta.CacheControl is { } cacheControl)
        {
            headers.CacheControl = cacheControl;
        }
    }

    /// <summary>Step 4. The status and the headers that describe the body.</summary>
    private static void WriteContentHeaders(HttpResponse response, CachedObject entry, ByteRange range)
    {
        response.StatusCode = range.Status;
        response.ContentType = entry.Meta.ContentType;
        response.ContentLength = range.Length;
        if (range.Status == StatusCodes.Status206PartialContent)
        {
            response.Headers.ContentRange = $"bytes {range.From}-{range.From + range.Length - 1}/{entry.Meta.Size}";
        }
    }

    /// <summary>Step 4. The body, slice after slice, from <paramref name="first"/> (already fetched) on.</summary>
    /// <returns>The costliest lookup of the request and the body bytes sent.</returns>
    private async Task<(CacheResult Result, long Sent)> WriteBodyAsync(
        HttpContext context, MediaPath media, CachedObject entry, ByteRange range, Lookup<byte[]> first, CacheResult result, bool readAhead)
    {
        var aborted = context.RequestAborted;
        var overTls = context.Request.IsHttps;
        context.Response.Headers["X-Cache"] = EdgeMetrics.Label(result);
        var index = range.From / entry.SliceBytes;
        var offset = (int)(range.From - (index * entry.SliceBytes));
        var slice = first;
        var remaining = range.Length;
        try
        {
            while (true)
            {
                var count = (int)Math.Min(slice.Value.Length - offset, remaining);
                if (!await ResponsePipe.SendAsync(context.Response.BodyWriter, slice.Value.AsMemory(offset, count), overTls, aborted))
                {
                    break; // the client is gone
                }

                remaining -= count;
                if (remaining == 0)
                {
                    break;
                }

                offset = 0;
                slice = await cache.GetSliceAsync(media, entry, ++index, readAhead, aborted);
                result = Costlier(result, slice.Result);
            }
        }
        catch (OriginUnavailableException)
        {
            // Headers are gone: the only honest signal left is a broken response, which players retry.
            context.Abort();
        }

        return (result, range.Length - remaining);
    }

    private static Task ProblemAsync(HttpContext context, Refusal refusal)
    {
        if (refusal.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // Nothing about the object applies to an error (an origin failure after Step 3 set them): it must not be cached.
        var headers = context.Response.Headers;
        headers.Remove(HeaderNames.ContentRange);
        headers.Remove(HeaderNames.ETag);
        headers.Remove(HeaderNames.LastModified);
        headers.Remove(HeaderNames.CacheControl);
        headers.Remove(HeaderNames.AcceptRanges);
        context.Response.ContentLength = null;
        return Results.Problem(refusal.Detail, statusCode: refusal.Status).ExecuteAsync(context);
    }

    private static CacheResult Costlier(CacheResult a, CacheResult b) => a > b ? a : b;

    /// <summary>An answer that is not the object: its status and what was wrong, as problem details.</summary>
    private readonly record struct Refusal(int Status, string Detail, int? RetryAfterSeconds = null);
}

internal static class MediaDeliveryExtensions
{
    public static IServiceCollection AddMediaDelivery(this IServiceCollection services, IConfiguration configuration) =>
        services.AddMediaCors().AddPlaybackTokens(configuration).AddSingleton<MediaEndpoint>();

    public static WebApplication UseMediaDelivery(this WebApplication app)
    {
        MediaEndpoint.Use(app);
        return app;
    }
}
