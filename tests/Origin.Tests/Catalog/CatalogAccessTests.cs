using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Vod.Common.Catalog;
using Vod.Origin.Admin;
using Vod.Origin.Catalog;

namespace Vod.Origin.Tests.Catalog;

public sealed class CatalogAccessTests
{
    private const string Key = "test-admin-key-0123456789";
    private const string ServerPath = "/srv/vod/media/uploads/abcdefgh2345.mp4";

    private static Title Titled(TitleStatus status) => new()
    {
        Id = "abcdefgh2345",
        Name = "a title",
        Status = status,
        Error = status == TitleStatus.Failed ? $"ffmpeg failed on {ServerPath}" : null,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
        Source = "abcdefgh2345.mp4",
    };

    [Theory]
    [InlineData(TitleStatus.Ready, false, true)]
    [InlineData(TitleStatus.Queued, false, false)]
    [InlineData(TitleStatus.Transcoding, false, false)]
    [InlineData(TitleStatus.Failed, false, false)]
    [InlineData(TitleStatus.Ready, true, true)]
    [InlineData(TitleStatus.Queued, true, true)]
    [InlineData(TitleStatus.Failed, true, true)]
    public void View_ByStatusAndReader_AnonymousSeesReadyTitlesOnly(TitleStatus status, bool admin, bool shown)
    {
        var view = CatalogAccess.View(Titled(status), admin);

        Assert.Equal(shown, view is not null);
        Assert.Equal(admin && status == TitleStatus.Failed, view?.Error?.Contains(ServerPath, StringComparison.Ordinal) ?? false);
    }

    [Fact]
    public void View_AnonymousReadyTitleWithAnError_ShowsNoError()
    {
        var view = CatalogAccess.View(Titled(TitleStatus.Ready) with { Error = ServerPath }, admin: false);

        Assert.Null(view!.Error);
    }

    [Theory]
    [InlineData(null, false, null)]
    [InlineData("Bearer " + Key, true, null)]
    [InlineData("Bearer not-the-admin-key-0000", false, 403)]
    [InlineData("Basic abc", false, 401)]
    public void IsAdmin_ByAuthorization_AnonymousWithoutAHeaderRefusedWithAWrongOne(string? authorization, bool admin, int? refused)
    {
        using var filter = new AdminKeyFilter(Options.Create(new AdminOptions { Key = Key }));
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        Assert.Equal(admin, CatalogAccess.IsAdmin(http, filter, out var refusal));
        Assert.Equal(refused, (refusal as IStatusCodeHttpResult)?.StatusCode);
    }
}
