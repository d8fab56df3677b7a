using System.Net;
using System.Net.Http.Headers;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Edge;

/// <summary>The edge answers like a file server: HEAD, conditionals, ranges, CORS, and clear 404s.</summary>
[Collection(UntimedStackDefinition.Name)]
public sealed class EdgeHttpTests(StackFixture stack)
{
    private async Task<(string Url, byte[] OnDisk)> MediaAsync(int edge = 0)
    {
        var title = await stack.SampleTitleAsync();
        var version = (await stack.Store.ReadTitleAsync(title.Id))!.Version;
        var bytes = await File.ReadAllBytesAsync(await stack.PublishedFileAsync(title.Id, "240p/media.mp4"));
        return ($"{stack.Edges[edge].BaseUrl}/titles/{title.Id}/{version}/240p/media.mp4", bytes);
    }

    [Fact]
    public async Task Head_MediaFile_ReturnsSizeTypeAndValidatorsWithoutBody()
    {
        var (url, onDisk) = await MediaAsync();

        using var response = await stack.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(onDisk.Length, response.Content.Headers.ContentLength);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType!.MediaType);
        Assert.NotNull(response.Headers.ETag);
        Assert.NotNull(response.Content.Headers.LastModified);
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        Assert.Contains("immutable", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_WithMatchingIfNoneMatch_Is304()
    {
        var (url, _) = await MediaAsync(1);
        using var first = await stack.Http.GetAsync(url);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var response = await stack.Http.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_RangeWithStaleIfRange_ReturnsWholeObject()
    {
        var (url, onDisk) = await MediaAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(0, 99);
        request.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"some-other-version\""));

        using var response = await stack.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(onDisk, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_WithNonMatchingIfMatch_Is412()
    {
        var (url, _) = await MediaAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"another-version\""));

        using var response = await stack.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [Fact]
    public async Task Get_IfModifiedSinceLastModified_Is304()
    {
        var (url, _) = await MediaAsync(1);
        using var first = await stack.Http.GetAsync(url);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.IfModifiedSince = first.Content.Headers.LastModified;

        using var response = await stack.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task Get_MultipleRanges_ReturnsWholeObjectAs200()
    {
        var (url, onDisk) = await MediaAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-10,20-30");

        using var response = await stack.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(onDisk, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("bytes=abc")]
    [InlineData("bytes=5-1")]
    [InlineData("bytes=99999999999999999999-")]
    [InlineData("items=0-10")]
    public async Task Get_MalformedRange_IsIgnoredWithWholeObject(string range)
    {
        var (url, onDisk) = await MediaAsync(1);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Range", range);

        using var response = await stack.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(onDisk.Length, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Get_WithQueryStringAndOddHeaders_ServesTheSameObject()
    {
        // Nothing from the query or request headers reaches a cache key: the poisoned request gets, and leaves, the real bytes.
        var (url, onDisk) = await MediaAsync();
        using var poisoned = new HttpRequestMessage(HttpMethod.Get, url + "?v=evil&x=1");
        poisoned.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.example");
        poisoned.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        using (var response = await stack.Http.SendAsync(poisoned))
        {
            Assert.Equal(onDisk, await response.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(onDisk, await stack.Http.GetByteArrayAsync(url));
    }

    [Fact]
    public async Task Get_RangePastTheEnd_Is416WithSize()
    {
        var (url, onDisk) = await MediaAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(onDisk.Length + 10, null);

        using var response = await stack.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{onDisk.Length}", response.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task Get_SuffixRange_ReturnsTheLastBytes()
    {
        var (url, onDisk) = await MediaAsync(1);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(null, 1000);

        using var response = await stack.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(onDisk[^1000..], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_FromAnotherSite_CarriesCorsHeaders()
    {
        var (url, _) = await MediaAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Origin", "https://player.example");
        request.Headers.Range = new RangeHeaderValue(0, 10);

        using var response = await stack.Http.SendAsync(request);

        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Content-Range", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_Playlist_HasHlsTypeAndShortCacheLifetime()
    {
        var title = await stack.SampleTitleAsync();
        var version = (await stack.Store.ReadTitleAsync(title.Id))!.Version;

        using var response = await stack.Http.GetAsync($"{stack.Edges[0].BaseUrl}/titles/{title.Id}/{version}/360p/index.m3u8");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.apple.mpegurl", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.CacheControl!.MaxAge);
        Assert.StartsWith("#EXTM3U", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/titles/aaaaaaaaaaaa/v1/360p/missing.mp4")] // well-formed, absent at the origin
    [InlineData("/titles/not-an-id/v1/x.mp4")]
    [InlineData("/titles/aaaaaaaaaaaa/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/titles/aaaaaaaaaaaa/..%2f..%2fetc/passwd")]
    [InlineData("/titles/aaaaaaaaaaaa/title.json")] // exists on the origin's disk for real ids, never served
    public async Task Get_BadOrMissingPath_Is404(string path)
    {
        foreach (var baseUrl in new[] { stack.Edges[0].BaseUrl, stack.Origin.BaseUrl })
        {
            using var response = await stack.Http.GetAsync(baseUrl + path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task Get_TitleJsonOfARealTitle_IsNotServed()
    {
        var title = await stack.SampleTitleAsync();

        foreach (var baseUrl in new[] { stack.Edges[0].BaseUrl, stack.Origin.BaseUrl })
        {
            using var response = await stack.Http.GetAsync($"{baseUrl}/titles/{title.Id}/title.json");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }
}
