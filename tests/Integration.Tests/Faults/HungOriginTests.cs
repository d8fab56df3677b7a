using System.Diagnostics;
using System.Net;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Faults;

/// <summary>A gray failure upstream: the real origin process is stopped (SIGSTOP), so it accepts and never answers.</summary>
[Collection(StackDefinition.Name)]
public sealed class HungOriginTests(StackFixture stack)
{
    [Fact]
    public async Task OriginStopped_EdgeAnswersCachedAtOnce_AndUncachedWith504WithinItsWaitLimit_NeverHangs()
    {
        var title = await stack.SampleTitleAsync();
        var version = (await stack.Store.ReadTitleAsync(title.Id))!.Version;
        var edge = stack.Edges[0].BaseUrl;
        var media = $"{edge}/titles/{title.Id}/{version}/240p/media.mp4";
        using (var warm = await stack.Http.GetAsync(media))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        stack.Origin.Signal(Signals.Stop);
        try
        {
            var timer = Stopwatch.StartNew();
            using (var cached = await RangeAsync(media, 1000, 1999))
            {
                Assert.Equal(HttpStatusCode.PartialContent, cached.StatusCode);
                Assert.InRange(timer.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
            }

            // Never requested, so not cached anywhere: the edge must ask the stopped origin, and gives up after its
            // wait limit (Cache:MaxWait, 3 s) with a 504 a player fails over on, not a 404 and not a hang.
            timer.Restart();
            using (var uncached = await stack.Http.GetAsync($"{edge}/titles/{title.Id}/{version}/240p/never-requested.m4s"))
            {
                Assert.Equal(HttpStatusCode.GatewayTimeout, uncached.StatusCode);
                Assert.Contains("did not answer in time", await uncached.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.InRange(timer.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4.5));
            }
        }
        finally
        {
            stack.Origin.Signal(Signals.Cont);
        }

        using var afterwards = await stack.Http.GetAsync($"{edge}/titles/{title.Id}/{version}/240p/never-requested.m4s");
        Assert.Equal(HttpStatusCode.NotFound, afterwards.StatusCode); // the origin answers again, and the answer is a real 404
    }

    private async Task<HttpResponseMessage> RangeAsync(string url, long from, long to)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(from, to);
        return await stack.Http.SendAsync(request);
    }
}
