using System.IO.Pipelines;
using Microsoft.Net.Http.Headers;
using Vod.Common.Hls;
using Vod.Edge.Caching;
using Vod.Edge.Metrics;
using Vod.Edge.OriginClient;

namespace Vod.Edge.Delivery;

/// <summary>
/// Answers GET/HEAD for a cached object per RFC 9110: preconditions (If-Match, If-Unmodified-Since → 412;
/// If-None-Match, If-Modified-Since → 304), one byte range (206, If-Range honoured, 416 with
/// <c>Content-Range: bytes */size</c>), anything else the whole object (200). A multi-range request gets the whole
/// object, as RFC 9110 allows; an unparsable Range header is ignored.
/// The body is written straight from the cached slices: no intermediate buffer, one write per slice.
/// (The framework's file result did the same HTTP work but copied every byte through a 64 KiB buffer.)
/// </summary>
internal static class ObjectResponse
{
    /// <summary>
    /// The largest piece handed to Kestrel at once: its response buffer per connection (<see cref="KestrelTuning"/>),
    /// so a connection never holds more than that between flushes.
    /// </summary>
    internal const int MaxPieceBytes = KestrelTuning.ResponseBufferBytes;

    /// <summary>From this size a piece goes into Kestrel's pipe as one segment (see <see cref="SendAsync"/>).</summary>
    internal const int LargePieceBytes = 128 * 1024;

    /// <returns>Null when the response was written; an error result when the origin failed before anything was sent.</returns>
    public static async Task<IResult?> WriteAsync(HttpContext context, SliceCache cache, MediaPath path, Lookup<CachedObject?> lookup)
    {
        var entry = lookup.Value!;
        var meta = entry.Meta;
        var request = context.Request;
        var response = context.Response;
        var etag = entry.EntityTag;
        var lastModified = entry.LastModified;

        var headers = response.Headers;
        headers.AcceptRanges = "bytes";
        headers.ETag = meta.ETag;
        if (entry.LastModifiedHeader is { } modified)
        {
            headers.LastModified = modified;
        }

        if (meta.CacheControl is { } cacheControl)
        {
            headers.CacheControl = cacheControl;
        }

        var precondition = EvaluatePreconditions(request, etag, lastModified);
        if (precondition != StatusCodes.Status200OK)
        {
            response.StatusCode = precondition;
            EdgeMetrics.Request(lookup.Result, 0);
            return null;
        }

        var (from, length, status) = SelectRange(request, etag, lastModified, meta.Size);
        if (status == StatusCodes.Status416RangeNotSatisfiable)
        {
            response.StatusCode = status;
            headers.ContentRange = $"bytes */{meta.Size}";
            EdgeMetrics.Request(lookup.Result, 0);
            return null;
        }

        response.StatusCode = status;
        response.ContentType = meta.ContentType;
        response.ContentLength = length;
        if (status == StatusCodes.Status206PartialContent)
        {
            headers.ContentRange = $"bytes {from}-{from + length - 1}/{meta.Size}";
        }

        if (HttpMethods.IsHead(request.Method) || length == 0)
        {
            EdgeMetrics.Request(lookup.Result, 0);
            return null;
        }

        var aborted = context.RequestAborted;
        var index = from / entry.SliceBytes;
        var offset = (int)(from - (index * entry.SliceBytes));
        Lookup<byte[]> slice;
        try
        {
            // The first slice decides whether the answer is a body or an error: nothing has been sent yet.
            slice = await cache.GetSliceAsync(path, entry, index, readAhead: true, aborted);
        }
        catch (OriginUnavailableException e)
        {
            response.Headers.Remove(HeaderNames.ContentRange);
            response.ContentLength = null;
            return MediaEndpoint.OriginFailure(context, e);
        }

        var result = Max(lookup.Result, slice.Result);
        headers["X-Cache"] = EdgeMetrics.Label(result);
        var remaining = length;
        try
        {
            while (true)
            {
                var count = (int)Math.Min(slice.Value.Length - offset, remaining);
                if (!await SendAsync(response.BodyWriter, slice.Value.AsMemory(offset, count), aborted))
                {
                    break; // the client is gone
                }

                remaining -= count;
                if (remaining == 0)
                {
                    break;
                }

                offset = 0;
                slice = await cache.GetSliceAsync(path, entry, ++index, readAhead: true, aborted);
                result = Max(result, slice.Result);
            }
        }
        catch (OriginUnavailableException)
        {
            // Headers are gone: the only honest signal left is a broken response, which players retry.
            context.Abort();
        }

        EdgeMetrics.Request(result, length - remaining);
        return null;
    }

    /// <summary>
    /// Copies the bytes into Kestrel's output pipe, flushing after each piece of up to <see cref="MaxPieceBytes"/>.
    /// A large piece goes in as one pipe segment. Kestrel's own <c>WriteAsync</c> copies into its 4 KiB pool blocks:
    /// a 1 MiB slice became 256 pipe segments and as many buffers in each <c>sendmsg</c>. One segment per piece is
    /// cheaper for large pieces and no better for small ones (an array-pool buffer, pinned for each send), so pieces
    /// under <see cref="LargePieceBytes"/> still take Kestrel's path. Figures: bench/README.md, "Why the edge is shaped
    /// this way".
    /// </summary>
    /// <returns>False when the client has gone and nothing more should be written.</returns>
    internal static async ValueTask<bool> SendAsync(PipeWriter writer, ReadOnlyMemory<byte> bytes, CancellationToken aborted)
    {
        while (!bytes.IsEmpty)
        {
            var count = Math.Min(bytes.Length, MaxPieceBytes);
            FlushResult flush;
            if (count < LargePieceBytes)
            {
                flush = await writer.WriteAsync(bytes[..count], aborted);
            }
            else
            {
                bytes.Span[..count].CopyTo(writer.GetSpan(count));
                writer.Advance(count);
                flush = await writer.FlushAsync(aborted);
            }

            bytes = bytes[count..];
            if (flush.IsCompleted || flush.IsCanceled)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 9110 §13.2.2: the order in which preconditions are evaluated.</summary>
    internal static int EvaluatePreconditions(HttpRequest request, EntityTagHeaderValue etag, DateTimeOffset? lastModified)
    {
        var raw = request.Headers;
        if (raw.IfMatch.Count == 0 && raw.IfUnmodifiedSince.Count == 0 && raw.IfNoneMatch.Count == 0 && raw.IfModifiedSince.Count == 0)
        {
            return StatusCodes.Status200OK; // the common case: nothing to parse
        }

        var headers = request.GetTypedHeaders();
        var ifMatch = headers.IfMatch;
        if (ifMatch.Count > 0)
        {
            if (!ifMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: true)))
            {
                return StatusCodes.Status412PreconditionFailed;
            }
        }
        else if (headers.IfUnmodifiedSince is { } unmodifiedSince && lastModified > unmodifiedSince)
        {
            return StatusCodes.Status412PreconditionFailed;
        }

        var ifNoneMatch = headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            if (ifNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false)))
            {
                return StatusCodes.Status304NotModified;
            }
        }
        else if (headers.IfModifiedSince is { } modifiedSince && lastModified <= modifiedSince)
        {
            return StatusCodes.Status304NotModified;
        }

        return StatusCodes.Status200OK;
    }

    /// <summary>The bytes to send: one satisfiable range (206), an unsatisfiable one (416), or everything (200).</summary>
    internal static (long From, long Length, int Status) SelectRange(
        HttpRequest request, EntityTagHeaderValue etag, DateTimeOffset? lastModified, long size)
    {
        var whole = (0L, size, StatusCodes.Status200OK);
        var raw = request.Headers.Range;
        if (raw.Count != 1 || !RangeHeaderValue.TryParse(raw.ToString(), out var range)
            || !range.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase) || range.Ranges.Count != 1)
        {
            return whole; // no range, unparsable, or several ranges: the whole object
        }

        if (request.Headers.IfRange.Count > 0 && request.GetTypedHeaders().IfRange is { } ifRange
            && !(ifRange.EntityTag is { } tag ? tag.Compare(etag, useStrongComparison: true) : ifRange.LastModified is { } date && lastModified == date))
        {
            return whole;
        }

        var item = range.Ranges.First();
        long from, to;
        if (item.From is null)
        {
            if (item.To is not > 0 || size == 0)
            {
                return (0, 0, StatusCodes.Status416RangeNotSatisfiable);
            }

            from = Math.Max(0, size - item.To.Value);
            to = size - 1;
        }
        else
        {
            from = item.From.Value;
            if (from >= size)
            {
                return (0, 0, StatusCodes.Status416RangeNotSatisfiable);
            }

            to = item.To is { } end && end < size ? end : size - 1;
            if (to < from)
            {
                return whole;
            }
        }

        return (from, to - from + 1, StatusCodes.Status206PartialContent);
    }

    private static CacheResult Max(CacheResult a, CacheResult b) => a > b ? a : b;
}
