using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vod.Load.Scenarios;
using Vod.Load.Tests.Infrastructure;

namespace Vod.Load.Tests.Scenarios;

/// <summary>The tool's reading of an origin's catalog, against real Kestrel servers that answer right and wrong.</summary>
public sealed class CatalogTests
{
    [Theory]
    [InlineData("<!doctype html><html><body>Welcome to nginx</body></html>", "text/html")]
    [InlineData("{\"error\":\"not here\"}", "application/json")]
    public async Task ChooseAsync_EntryAnswersSomethingOtherThanAJsonList_IsAUsageErrorNamingTheUrl(string body, string contentType)
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/api/titles", () => Results.Text(body, contentType)));
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<UsageException>(() => Catalog.ChooseAsync(new OriginEntries(http, [server.Url]), [], CancellationToken.None));

        Assert.Contains(new Uri(server.Url, "/api/titles").ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("did not answer with a JSON list", error.Message, StringComparison.Ordinal);
        Assert.Contains(body[..10], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChooseAsync_ACatalog_ReturnsTheReadyTitlesOnly()
    {
        const string Catalog = """[{"id":"a","status":"ready","durationSeconds":8.5},{"id":"b","status":"queued"}]""";
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/api/titles", () => Results.Text(Catalog, "application/json")));
        using var http = new HttpClient();

        var ready = await Vod.Load.Scenarios.Catalog.ChooseAsync(new OriginEntries(http, [server.Url]), [], CancellationToken.None);

        Assert.Equal(8.5, Assert.Single(ready, t => t.Id == "a").DurationSeconds);
    }
}
