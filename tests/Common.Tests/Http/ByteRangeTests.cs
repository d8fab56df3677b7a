using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Vod.Common.Http;

namespace Vod.Common.Tests.Http;

/// <summary>RFC 9110 §14, case by case, against a 1000-byte object with ETag "v1" last modified at <see cref="Modified"/>.</summary>
public sealed class ByteRangeTests
{
    private const long Size = 1000;
    private const string Modified = "Fri, 27 Nov 2026 10:00:00 GMT";
    private static readonly EntityTagHeaderValue ETag = new("\"v1\"");
    private static readonly DateTimeOffset LastModified = DateTimeOffset.Parse("2026-11-27T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    // the whole object: no range, several ranges, another unit, unparsable
    [InlineData(null, null, 0, Size, 200)]
    [InlineData("bytes=0-1,5-6", null, 0, Size, 200)]
    [InlineData("items=0-99", null, 0, Size, 200)]
    [InlineData("bytes=abc", null, 0, Size, 200)]
    [InlineData("bytes=5-2", null, 0, Size, 200)]
    // one range: first-last, open-ended, suffix, clipped at the end
    [InlineData("bytes=0-99", null, 0, 100, 206)]
    [InlineData("bytes=100-", null, 100, 900, 206)]
    [InlineData("bytes=-100", null, 900, 100, 206)]
    [InlineData("bytes=-2000", null, 0, Size, 206)]
    [InlineData("bytes=990-2000", null, 990, 10, 206)]
    [InlineData("bytes=999-999", null, 999, 1, 206)]
    [InlineData("BYTES=0-0", null, 0, 1, 206)]
    // unsatisfiable
    [InlineData("bytes=1000-", null, 0, 0, 416)]
    [InlineData("bytes=5000-6000", null, 0, 0, 416)]
    [InlineData("bytes=-0", null, 0, 0, 416)]
    // If-Range: a strong tag or the exact date keeps the range; anything else asks for the whole object
    [InlineData("bytes=0-99", "\"v1\"", 0, 100, 206)]
    [InlineData("bytes=0-99", "\"v2\"", 0, Size, 200)]
    [InlineData("bytes=0-99", "W/\"v1\"", 0, Size, 200)]
    [InlineData("bytes=0-99", Modified, 0, 100, 206)]
    [InlineData("bytes=0-99", "Fri, 27 Nov 2026 10:00:01 GMT", 0, Size, 200)]
    [InlineData("bytes=0-99", "neither", 0, Size, 200)]
    public void Select_OneRangeOrTheWholeObject(string? range, string? ifRange, long from, long length, int status)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        if (range is not null)
        {
            headers.Range = range;
        }

        if (ifRange is not null)
        {
            headers.IfRange = ifRange;
        }

        Assert.Equal(new ByteRange(from, length, status), ByteRange.Select(headers, ETag, LastModified, Size));
    }

    [Theory]
    [InlineData("bytes=0-")]
    [InlineData("bytes=-5")]
    public void Select_EmptyObject_AnyRangeIsUnsatisfiable(string range)
    {
        var headers = new HeaderDictionary { [HeaderNames.Range] = range };

        Assert.Equal(ByteRange.Unsatisfiable, ByteRange.Select(headers, ETag, LastModified, size: 0));
    }

    [Fact]
    public void Select_TwoRangeHeaders_TheWholeObject()
    {
        var headers = new HeaderDictionary { [HeaderNames.Range] = new Microsoft.Extensions.Primitives.StringValues(["bytes=0-1", "bytes=2-3"]) };

        Assert.Equal(ByteRange.Whole(Size), ByteRange.Select(headers, ETag, LastModified, Size));
    }
}
