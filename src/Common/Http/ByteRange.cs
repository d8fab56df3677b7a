using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Vod.Common.Http;

/// <summary>The bytes a GET answers with: one satisfiable range (206), an unsatisfiable one (416), or everything (200).</summary>
public readonly record struct ByteRange(long From, long Length, int Status)
{
    public static ByteRange Whole(long size) => new(0, size, StatusCodes.Status200OK);

    public static ByteRange Unsatisfiable => new(0, 0, StatusCodes.Status416RangeNotSatisfiable);

    /// <summary>
    /// RFC 9110 §14: one byte range is served (If-Range honoured); a multi-range request gets the whole object, as the
    /// RFC allows; an unparsable Range header, or one in another unit, is ignored. A pure function of the headers.
    /// </summary>
    public static ByteRange Select(IHeaderDictionary request, EntityTagHeaderValue etag, DateTimeOffset? lastModified, long size)
    {
        var raw = request.Range;
        if (raw.Count != 1 || !RangeHeaderValue.TryParse(raw.ToString(), out var range)
            || !range.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase) || range.Ranges.Count != 1)
        {
            return Whole(size); // no range, unparsable, or several ranges: the whole object
        }

        if (request.IfRange.Count > 0 && !IfRangeMatches(request.IfRange.ToString(), etag, lastModified))
        {
            return Whole(size);
        }

        var item = range.Ranges.First();
        long from, to;
        if (item.From is null)
        {
            if (item.To is not > 0 || size == 0)
            {
                return Unsatisfiable;
            }

            from = Math.Max(0, size - item.To.Value);
            to = size - 1;
        }
        else
        {
            from = item.From.Value;
            if (from >= size)
            {
                return Unsatisfiable;
            }

            to = item.To is { } end && end < size ? end : size - 1;
            if (to < from)
            {
                return Whole(size);
            }
        }

        return new(from, to - from + 1, StatusCodes.Status206PartialContent);
    }

    /// <summary>If-Range: a strong entity tag match, or the exact Last-Modified date; anything else (unparsable too) fails.</summary>
    private static bool IfRangeMatches(string value, EntityTagHeaderValue etag, DateTimeOffset? lastModified)
    {
        if (!RangeConditionHeaderValue.TryParse(value, out var condition))
        {
            return false;
        }

        return condition.EntityTag is { } tag
            ? tag.Compare(etag, useStrongComparison: true)
            : condition.LastModified is { } date && lastModified == date;
    }
}
