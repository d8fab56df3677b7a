using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Origin;

/// <summary>tus 1.0.0 at <c>/api/uploads</c>, the refusals and the termination, against the shared stack (nothing is killed).</summary>
[Collection(UntimedStackDefinition.Name)]
public sealed class ResumableUploadTests(StackFixture stack)
{
    private static readonly byte[] Bytes = [.. Enumerable.Range(0, 4000).Select(i => (byte)(i * 7))];

    private string Uploads => $"{stack.Origin.BaseUrl}/api/uploads";

    [Fact]
    public async Task Options_Discovery_AnnouncesVersionExtensionsAndMaxSize()
    {
        using var response = await stack.Http.SendAsync(Tus.Request(HttpMethod.Options, Uploads, tus: false));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("1.0.0", Tus.Header(response, "Tus-Resumable"));
        Assert.Equal("1.0.0", Tus.Header(response, "Tus-Version"));
        Assert.Equal("creation,termination,expiration", Tus.Header(response, "Tus-Extension"));
        Assert.Equal(StackFixture.MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), Tus.Header(response, "Tus-Max-Size"));
    }

    [Fact]
    public async Task Patch_WrongOffset_Is409AndTheOffsetStays()
    {
        var url = await Tus.CreateAsync(stack.Http, stack.Origin.BaseUrl, Bytes.Length, "wrong-offset.bin");
        using (var first = await Tus.PatchAsync(stack.Http, url, 0, Bytes.AsMemory(0, 1000)))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
            Assert.Equal("1000", Tus.Header(first, "Upload-Offset"));
            Assert.NotNull(Tus.Header(first, "Upload-Expires"));
        }

        using var again = await Tus.PatchAsync(stack.Http, url, 0, Bytes.AsMemory(0, 1000));

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("Upload-Offset is 0 but the upload has 1000 bytes", await DetailAsync(again), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, 1000L), await Tus.HeadAsync(stack.Http, url));
    }

    [Fact]
    public async Task Patch_BeyondUploadLength_Is413AndStoresNothing()
    {
        var url = await Tus.CreateAsync(stack.Http, stack.Origin.BaseUrl, 1000, "too-long.bin");

        using var response = await Tus.PatchAsync(stack.Http, url, 0, Bytes.AsMemory(0, 1001));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("go beyond Upload-Length 1000", await DetailAsync(response), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, 0L), await Tus.HeadAsync(stack.Http, url));
    }

    [Fact]
    public async Task Create_OverTheUploadLimit_Is413()
    {
        using var request = Tus.Request(HttpMethod.Post, Uploads);
        request.Headers.Add("Upload-Length", (StackFixture.MaxUploadBytes + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await stack.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("larger than the limit", await DetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_WrongContentTypeOrNoTusResumable_Is415Or412()
    {
        var url = await Tus.CreateAsync(stack.Http, stack.Origin.BaseUrl, Bytes.Length, "refused.bin");

        using var wrongType = await Tus.PatchAsync(stack.Http, url, 0, Bytes, "application/octet-stream");
        using var noVersion = Tus.Request(HttpMethod.Head, url, tus: false);
        using var noVersionResponse = await stack.Http.SendAsync(noVersion);
        using var oldVersion = Tus.Request(HttpMethod.Post, Uploads, tus: false);
        oldVersion.Headers.Add("Tus-Resumable", "0.2.2");
        oldVersion.Headers.Add("Upload-Length", "10");
        using var oldVersionResponse = await stack.Http.SendAsync(oldVersion);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        Assert.Contains("application/offset+octet-stream", await DetailAsync(wrongType), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.PreconditionFailed, noVersionResponse.StatusCode);
        Assert.Equal("1.0.0", Tus.Header(noVersionResponse, "Tus-Version"));
        Assert.Equal(HttpStatusCode.PreconditionFailed, oldVersionResponse.StatusCode);
        Assert.Contains("'0.2.2' is not supported", await DetailAsync(oldVersionResponse), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, 0L), await Tus.HeadAsync(stack.Http, url));
    }

    [Fact]
    public async Task Create_WithoutAdminKey_Is401WithTusResumable()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Uploads);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", "10");

        using var response = await stack.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("1.0.0", Tus.Header(response, "Tus-Resumable"));
    }

    [Fact]
    public async Task Delete_UploadWithBytes_RemovesStateAndBytes()
    {
        var url = await Tus.CreateAsync(stack.Http, stack.Origin.BaseUrl, Bytes.Length, "deleted.bin");
        using (var patch = await Tus.PatchAsync(stack.Http, url, 0, Bytes.AsMemory(0, 1500)))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        }

        var id = url[(url.LastIndexOf('/') + 1)..];
        var partial = stack.Store.PartialFile(id);
        Assert.Equal(1500, new FileInfo(partial).Length);

        using var delete = await stack.Http.SendAsync(Tus.Request(HttpMethod.Delete, url));
        using var afterDelete = await Tus.PatchAsync(stack.Http, url, 1500, Bytes.AsMemory(1500, 10));

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.False(File.Exists(partial), "the upload's bytes are still on disk");
        Assert.Equal(HttpStatusCode.NotFound, (await Tus.HeadAsync(stack.Http, url)).Status);
        Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis.AdminConfiguration);
        Assert.False(await redis.GetDatabase().KeyExistsAsync($"vod:upload:{{{id}}}"), "the upload's state is still in Redis");
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("detail").GetString() ?? "";
    }
}
