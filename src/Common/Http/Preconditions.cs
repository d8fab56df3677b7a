using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Vod.Common.Http;

/// <summary>
/// RFC 9110 §13.2.2: the conditional request headers evaluated in their order against an object's validators.
/// A pure function of the request's headers, so every rule is covered by a table of cases.
/// </summary>
public static class Preconditions
{
    /// <returns>
    /// 412 when If-Match (or, without it, If-Unmodified-Since) fails; 304 when If-None-Match (or, without it,
    /// If-Modified-Since) matches; otherwise 200: go on and answer.
    /// </returns>
    public static int Evaluate(IHeaderDictionary request, EntityTagHeaderValue etag, DateTimeOffset? lastModified)
    {
        if (request.IfMatch.Count == 0 && request.IfUnmodifiedSince.Count == 0 && request.IfNoneMatch.Count == 0 && request.IfModifiedSince.Count == 0)
        {
            return StatusCodes.Status200OK; // the common case: nothing to parse
        }

        if (Tags(request.IfMatch) is { } ifMatch)
        {
            if (!ifMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: true)))
            {
                return StatusCodes.Status412PreconditionFailed;
            }
        }
        else if (Date(request.IfUnmodifiedSince) is { } unmodifiedSince && lastModified > unmodifiedSince)
        {
            return StatusCodes.Status412PreconditionFailed;
        }

        if (Tags(request.IfNoneMatch) is { } ifNoneMatch)
        {
            if (ifNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false)))
            {
                return StatusCodes.Status304NotModified;
            }
        }
        else if (Date(request.IfModifiedSince) is { } modifiedSince && lastModified <= modifiedSince)
        {
            return StatusCodes.Status304NotModified;
        }

        return StatusCodes.Status200OK;
    }

    /// <summary>A list of entity tags; null when absent, empty or unparsable, which counts as absent (as ASP.NET Core's typed headers read it).</summary>
    private static IList<EntityTagHeaderValue>? Tags(StringValues values) =>
        values.Count > 0 && EntityTagHeaderValue.TryParseList(values, out var tags) && tags.Count > 0 ? tags : null;

    /// <summary>An HTTP date; null when absent or unparsable (an invalid date is ignored, RFC 9110 §13.1.3).</summary>
    public static DateTimeOffset? Date(StringValues value) =>
        value.Count > 0 && HeaderUtilities.TryParseDate(value.ToString(), out var date) ? date : null;
}
