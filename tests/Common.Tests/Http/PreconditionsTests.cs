using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Vod.Common.Http;

namespace Vod.Common.Tests.Http;

/// <summary>RFC 9110 §13.2.2, case by case, against an object with ETag "v1" last modified at <see cref="Modified"/>.</summary>
public sealed class PreconditionsTests
{
    private const string Modified = "Fri, 27 Nov 2026 10:00:00 GMT";
    private const string Earlier = "Fri, 27 Nov 2026 09:59:59 GMT";
    private const string Later = "Fri, 27 Nov 2026 10:00:01 GMT";
    private static readonly EntityTagHeaderValue ETag = new("\"v1\"");
    private static readonly DateTimeOffset LastModified = DateTimeOffset.Parse("2026-11-27T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    // no conditions
    [InlineData(null, null, null, null, 200)]
    // If-Match: strong comparison, any tag in the list, *; an unparsable list counts as absent
    [InlineData("\"v1\"", null, null, null, 200)]
    [InlineData("\"v2\"", null, null, null, 412)]
    [InlineData("\"v2\", \"v1\"", null, null, null, 200)]
    [InlineData("*", null, null, null, 200)]
    [InlineData("W/\"v1\"", null, null, null, 412)]
    [InlineData("v1", null, null, null, 200)]
    // If-Unmodified-Since, only without If-Match; an invalid date is ignored
    [InlineData(null, Earlier, null, null, 412)]
    [InlineData(null, Modified, null, null, 200)]
    [InlineData(null, Later, null, null, 200)]
    [InlineData("\"v1\"", Earlier, null, null, 200)]
    [InlineData(null, "yesterday", null, null, 200)]
    // If-None-Match: weak comparison, *
    [InlineData(null, null, "\"v1\"", null, 304)]
    [InlineData(null, null, "W/\"v1\"", null, 304)]
    [InlineData(null, null, "\"v2\"", null, 200)]
    [InlineData(null, null, "\"v2\", \"v1\"", null, 304)]
    [InlineData(null, null, "*", null, 304)]
    // If-Modified-Since, only without If-None-Match
    [InlineData(null, null, null, Modified, 304)]
    [InlineData(null, null, null, Later, 304)]
    [InlineData(null, null, null, Earlier, 200)]
    [InlineData(null, null, "\"v2\"", Modified, 200)]
    [InlineData(null, null, null, "not a date", 200)]
    // 412 is decided before 304
    [InlineData("\"v2\"", null, "\"v1\"", null, 412)]
    [InlineData("\"v1\"", null, "\"v1\"", null, 304)]
    public void Evaluate_FollowsTheOrderOfRfc9110(string? ifMatch, string? ifUnmodifiedSince, string? ifNoneMatch, string? ifModifiedSince, int expected)
    {
        var headers = Headers(ifMatch, ifUnmodifiedSince, ifNoneMatch, ifModifiedSince);

        Assert.Equal(expected, Preconditions.Evaluate(headers, ETag, LastModified));
    }

    [Theory]
    [InlineData(null, Earlier, null, null)]
    [InlineData(null, null, null, Later)]
    public void Evaluate_ObjectWithoutLastModified_DateConditionsDoNotApply(string? ifMatch, string? ifUnmodifiedSince, string? ifNoneMatch, string? ifModifiedSince)
    {
        var headers = Headers(ifMatch, ifUnmodifiedSince, ifNoneMatch, ifModifiedSince);

        Assert.Equal(200, Preconditions.Evaluate(headers, ETag, lastModified: null));
    }

    private static HeaderDictionary Headers(string? ifMatch, string? ifUnmodifiedSince, string? ifNoneMatch, string? ifModifiedSince)
    {
        var headers = new HeaderDictionary();
        Set(headers, HeaderNames.IfMatch, ifMatch);
        Set(headers, HeaderNames.IfUnmodifiedSince, ifUnmodifiedSince);
        Set(headers, HeaderNames.IfNoneMatch, ifNoneMatch);
        Set(headers, HeaderNames.IfModifiedSince, ifModifiedSince);
        return headers;
    }

    private static void Set(HeaderDictionary headers, string name, string? value)
    {
        if (value is not null)
        {
            headers[name] = value;
        }
    }
}
