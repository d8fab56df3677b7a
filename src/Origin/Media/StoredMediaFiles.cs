using System.Collections.Concurrent;
using Microsoft.Net.Http.Headers;
using Vod.Common.Hls;
using Vod.Common.Http;
using Vod.Storage;

namespace Vod.Origin.Media;

/// <summary>
/// Serves <c>/titles/{id}/{version}/...</c> from the S3 store with the same HTTP semantics as the static files of the
/// local store: the object's own ETag and Last-Modified, conditional requests and one byte range (If-Range honoured) by
/// the rules the edges use (<see cref="Preconditions"/>, <see cref="ByteRange"/>), then one ranged GET of exactly those
/// bytes, streamed through. The metadata of a versioned object never changes, so it is remembered (a bounded map) and a
/// warm request costs the store one GET; the GET carries the remembered ETag, so an object that did change or vanish is
/// looked up again rather than served wrong.
/// </summary>
internal sealed class StoredMediaFiles(S3MediaStore store)
{
    private const int MaxRemembered = 50_000;
    private readonly ConcurrentDictionary<string, StoredObject> _metadata = new(StringComparer.Ordinal);

    public async Task ServeAsync(HttpContext context, MediaPath media, Action<HttpContext, bool> setCacheControl)
    {
        var key = S3MediaStore.MediaKey(media.TitleId + "/" + media.RelativePath);
        var cancel = context.RequestAborted;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var meta = await LookUpAsync(key, fresh: attempt > 0, cancel);
            if (meta is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var request = context.Request.Headers;
            var response = context.Response;
            var etag = EntityTagHeaderValue.Parse(meta.ETag);
            var lastModified = meta.LastModified;
            var status = Preconditions.Evaluate(request, etag, lastModified);
            response.Headers.ETag = meta.ETag;
            response.Headers.LastModified = HeaderUtilities.FormatDate(lastModified);
            response.Headers.AcceptRanges = "bytes";
            setCacheControl(context, media.IsPlaylist);
            if (status != StatusCodes.Status200OK)
            {
                response.StatusCode = status;
                return;
            }

            var range = ByteRange.Select(request, etag, lastModified, meta.Length);
            response.ContentType = HlsContentTypes.Instance.TryGetContentType(media.RelativePath, out var type) ? type : "application/octet-stream";
            if (range.Status == StatusCodes.Status416RangeNotSatisfiable)
            {
                response.StatusCode = range.Status;
                response.Headers.ContentRange = $"bytes */{meta.Length}";
                return;
            }

            response.StatusCode = range.Status;
            if (range.Status == StatusCodes.Status206PartialContent)
            {
                response.Headers.ContentRange = $"bytes {range.From}-{range.From + range.Length - 1}/{meta.Length}";
            }

            response.ContentLength = range.Length;
            if (HttpMethods.IsHead(context.Request.Method) || range.Length == 0)
            {
                return;
            }

            using var body = await store.OpenAsync(key, range.From, range.Length, meta.ETag, cancel);
            if (body is null)
            {
                _metadata.TryRemove(key, out _); // replaced or deleted since it was looked up: look again
                response.Headers.Clear();
                continue;
            }

            await body.ResponseStream.CopyToAsync(response.Body, 1 << 16, cancel);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    private async Task<StoredObject?> LookUpAsync(string key, bool fresh, CancellationToken cancellationToken)
    {
        if (!fresh && _metadata.TryGetValue(key, out var known))
        {
            return known;
        }

        var meta = await store.GetMetadataAsync(key, cancellationToken);
        if (meta is not null)
        {
            if (_metadata.Count >= MaxRemembered)
            {
                _metadata.Clear(); // crude but bounded; the edges in front keep the origin's working set small
            }

            _metadata[key] = meta;
        }

        return meta;
    }
}
