using System.Net;
using System.Net.Http.Json;
using Vod.Common.Hls;
using Vod.Integration.Tests.Infrastructure;
using Vod.Integration.Tests.Security;

namespace Vod.Integration.Tests.Origin;

/// <summary>
/// The whole stack on a Redis Cluster of three primaries (<c>Redis:Configuration</c> lists the nodes), each service
/// logged in as its ACL user: the origin registry, the edge registry, the job stream, the edges' shared cache and the
/// purge outbox all work across shards, and no node's ACL log records a denial.
/// </summary>
public sealed class RedisClusterStackTests(RedisClusterStackTests.Fixture fixture) : IClassFixture<RedisClusterStackTests.Fixture>
{
    private readonly StackFixture _stack = fixture.Stack;

    public sealed class Fixture : IAsyncLifetime
    {
        public StackFixture Stack { get; } = new()
        {
            WithCluster = true,
            WithRedisAcl = true,
            OriginCount = 2,
            Settings = new Dictionary<string, string> { ["Fleet__Key"] = "cluster-stack-fleet-key-0123456789-0123456789" },
        };

        public Task InitializeAsync() => Stack.InitializeAsync();

        public Task DisposeAsync() => Stack.DisposeAsync();
    }

    [Fact]
    public async Task Stack_OnACluster_RegistersUploadsTranscodesPlaysAndDeletes_WithoutADenial()
    {
        var cluster = _stack.Cluster!;

        // Origin registry: each origin lists the other, which it can only have read from the cluster. (The edges'
        // registry is how the stack waited for them to be routable.)
        await Eventually.TrueAsync(async () =>
            (await _stack.Http.GetFromJsonAsync<OriginsBody>($"{_stack.Origins[0].BaseUrl}/api/origins"))!.Origins.Contains(_stack.Origins[1].BaseUrl),
            TimeSpan.FromSeconds(10), "the first origin never listed the second");

        // Job stream: the upload is transcoded by a transcoder reading the stream on its shard.
        var title = await _stack.UploadAndWaitAsync(await Media.ClipAsync(Path.Combine(_stack.Work, "cluster.mp4"), 320, 180, 2));
        Assert.Equal(Vod.Common.Catalog.TitleStatus.Ready, title.Status);
        await RedisAclStackTests.PlayThroughAnEdgeAsync(_stack, title);

        // Purge: the outbox script and both edges' acknowledgements on one shard, the wake-up on a sharded channel.
        Assert.Equal((2L, 0L), await cluster.SubscribersAsync(EdgeCacheKeys.PurgeChannel));
        using (var delete = StackFixture.AdminRequest(HttpMethod.Delete, $"{_stack.Origin.BaseUrl}/api/titles/{title.Id}"))
        {
            using var response = await _stack.Http.SendAsync(delete);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode); // every live edge acknowledged
        }

        foreach (var node in cluster.Nodes)
        {
            var denials = await RedisAclStackTests.DenialsAsync(node);
            Assert.True(denials.Count == 0, string.Join('\n', denials));
        }
    }

    private sealed record OriginsBody(string[] Origins);
}
